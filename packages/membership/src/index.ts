export * from './membership.js';
export * from './ring.js';
export * from './local-membership.js';
export * from './redis-membership.js';
export * from './routing.js';
export * from './shard-layout.js';

export * from './errors.js';
export * from './server.js';
export * from './health.js';
export * from './client.js';
export * from './grpc-client.js';
export * from './tls.js';
export * from './interceptor.js';

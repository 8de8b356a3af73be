// Cluster replication config (temporal.api.replication.v1).
export * from './generated/temporal/api/replication/v1/message.js';

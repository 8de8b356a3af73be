// Namespace info and config (temporal.api.namespace.v1).
export * from './generated/temporal/api/namespace/v1/message.js';

// Workflow queries (temporal.api.query.v1).
export * from './generated/temporal/api/query/v1/message.js';

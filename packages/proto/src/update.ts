// Workflow updates (temporal.api.update.v1).
export * from './generated/temporal/api/update/v1/message.js';

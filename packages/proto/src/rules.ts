// Workflow rules (temporal.api.rules.v1).
export * from './generated/temporal/api/rules/v1/message.js';

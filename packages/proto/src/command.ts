// Workflow task commands (temporal.api.command.v1).
export * from './generated/temporal/api/command/v1/message.js';

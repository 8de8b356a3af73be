// Protocol messages carried on workflow tasks (temporal.api.protocol.v1).
export * from './generated/temporal/api/protocol/v1/message.js';

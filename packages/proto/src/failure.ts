// Failure and its per-cause info messages (temporal.api.failure.v1).
export * from './generated/temporal/api/failure/v1/message.js';

// Completion callbacks (temporal.api.callback.v1).
export * from './generated/temporal/api/callback/v1/message.js';

// Worker heartbeats and info (temporal.api.worker.v1).
export * from './generated/temporal/api/worker/v1/message.js';

// Batch operation messages (temporal.api.batch.v1), used by the batch RPCs of WorkflowService.
export * from './generated/temporal/api/batch/v1/message.js';

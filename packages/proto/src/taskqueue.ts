// Task queues, pollers and versioning info (temporal.api.taskqueue.v1).
export * from './generated/temporal/api/taskqueue/v1/message.js';

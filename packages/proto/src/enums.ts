// Every Temporal enum (temporal.api.enums.v1): EventType, WorkflowExecutionStatus, TaskQueueKind, ...
export * from './generated/temporal/api/enums/v1/activity.js';
export * from './generated/temporal/api/enums/v1/batch_operation.js';
export * from './generated/temporal/api/enums/v1/command_type.js';
export * from './generated/temporal/api/enums/v1/common.js';
export * from './generated/temporal/api/enums/v1/deployment.js';
export * from './generated/temporal/api/enums/v1/event_type.js';
export * from './generated/temporal/api/enums/v1/failed_cause.js';
export * from './generated/temporal/api/enums/v1/namespace.js';
export * from './generated/temporal/api/enums/v1/nexus.js';
export * from './generated/temporal/api/enums/v1/query.js';
export * from './generated/temporal/api/enums/v1/reset.js';
export * from './generated/temporal/api/enums/v1/schedule.js';
export * from './generated/temporal/api/enums/v1/task_queue.js';
export * from './generated/temporal/api/enums/v1/time_skipping.js';
export * from './generated/temporal/api/enums/v1/update.js';
export * from './generated/temporal/api/enums/v1/workflow.js';

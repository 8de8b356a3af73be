// SDK-facing metadata such as UserMetadata and WorkflowTaskCompletedMetadata (temporal.api.sdk.v1).
export * from './generated/temporal/api/sdk/v1/enhanced_stack_trace.js';
export * from './generated/temporal/api/sdk/v1/event_group_marker.js';
export * from './generated/temporal/api/sdk/v1/external_storage.js';
export * from './generated/temporal/api/sdk/v1/task_complete_metadata.js';
export * from './generated/temporal/api/sdk/v1/user_metadata.js';
export * from './generated/temporal/api/sdk/v1/worker_config.js';
export * from './generated/temporal/api/sdk/v1/workflow_metadata.js';

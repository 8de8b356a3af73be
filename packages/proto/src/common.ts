// Shared messages: WorkflowExecution, Payloads, RetryPolicy, Header, Memo, ... (temporal.api.common.v1).
export * from './generated/temporal/api/common/v1/message.js';

// gRPC error detail messages such as NotFoundFailure and WorkflowExecutionAlreadyStartedFailure (temporal.api.errordetails.v1).
export * from './generated/temporal/api/errordetails/v1/message.js';

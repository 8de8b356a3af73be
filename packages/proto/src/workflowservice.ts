// The public WorkflowService: its request/response messages and the grpc-js service definition, server and client.
// A namespace import of this module is the `messages` object @tempora/rpc looks `${method}Request`/`${method}Response` up in.
export * from './generated/temporal/api/workflowservice/v1/request_response.js';
export * from './generated/temporal/api/workflowservice/v1/service.js';

// The HTTP API's inputs, generated from the upstream protos: the route rules of the `google.api.http` annotations
// of WorkflowService and OperatorService, and the Temporal API descriptor set the proto3 JSON codec reads.
export * from './generated/http-api.js';

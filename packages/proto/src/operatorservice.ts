// The public OperatorService: its request/response messages and the grpc-js service definition.
export * from './generated/temporal/api/operatorservice/v1/request_response.js';
export * from './generated/temporal/api/operatorservice/v1/service.js';

// grpc.health.v1 (from the gRPC project's health.proto in core-bridge): its messages and the grpc-js service
// definition, served on every port by @tempora/rpc.
export * from './generated/grpc/health/v1/health.js';

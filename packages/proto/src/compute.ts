// Worker compute/scaler configuration (temporal.api.compute.v1), referenced by WorkflowService requests.
export * from './generated/temporal/api/compute/v1/config.js';
export * from './generated/temporal/api/compute/v1/provider.js';
export * from './generated/temporal/api/compute/v1/scaler.js';

// Worker deployments and versioning (temporal.api.deployment.v1).
export * from './generated/temporal/api/deployment/v1/message.js';

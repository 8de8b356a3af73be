// Nexus endpoints, requests and responses (temporal.api.nexus.v1).
export * from './generated/temporal/api/nexus/v1/message.js';

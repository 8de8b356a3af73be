// Server/SDK version info (temporal.api.version.v1).
export * from './generated/temporal/api/version/v1/message.js';

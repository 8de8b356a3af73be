// Standalone activity info (temporal.api.activity.v1).
export * from './generated/temporal/api/activity/v1/message.js';

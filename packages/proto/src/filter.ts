// List/visibility filters (temporal.api.filter.v1).
export * from './generated/temporal/api/filter/v1/message.js';

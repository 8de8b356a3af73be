// History, HistoryEvent and every event attributes message (temporal.api.history.v1).
export * from './generated/temporal/api/history/v1/message.js';

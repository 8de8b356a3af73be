// Tempora's service-to-service API (tempora.internal.v1): HistoryService and MatchingService (messages and grpc-js
// definitions), task tokens and internal error details. The two services' message names do not overlap, so a
// namespace import of this module serves as the `messages` object for either service in @tempora/rpc.
export * from './generated/tempora/internal/v1/errors.js';
export * from './generated/tempora/internal/v1/history_service.js';
export * from './generated/tempora/internal/v1/matching_service.js';
export * from './generated/tempora/internal/v1/tokens.js';

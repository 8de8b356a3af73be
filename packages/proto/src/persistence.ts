// Tempora's persisted records (tempora.persistence.v1): store records, mutable state and history tasks.
export * from './generated/tempora/persistence/v1/history_tasks.js';
export * from './generated/tempora/persistence/v1/mutable_state.js';
export * from './generated/tempora/persistence/v1/records.js';

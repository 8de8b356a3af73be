// The Google well-known types the Temporal API uses (Any, Duration, Timestamp, Empty, FieldMask, wrappers) and google.rpc.Status.
export * from './generated/google/protobuf/any.js';
export * from './generated/google/protobuf/duration.js';
export * from './generated/google/protobuf/empty.js';
export * from './generated/google/protobuf/field_mask.js';
export * from './generated/google/protobuf/timestamp.js';
export * from './generated/google/protobuf/wrappers.js';
export * from './generated/google/rpc/status.js';

// Conditional-write failures. Callers branch on the class; messages are for logs.
import type { CurrentExecutionRow } from './contract.js';

export class PersistenceError extends Error {
  override name = 'PersistenceError';
}

/** The shard's range_id moved: another host owns the shard now. Never retry the write. */
export class ShardOwnershipLostError extends PersistenceError {
  override name = 'ShardOwnershipLostError';
  constructor(
    readonly shardId: number,
    readonly expectedRangeId: number,
    readonly actualRangeId: number | undefined,
  ) {
    super(`shard ${shardId} ownership lost: expected range_id ${expectedRangeId}, found ${actualRangeId ?? 'none'}`);
  }
}

/** The execution row's dbRecordVersion moved under us: reload and retry. */
export class ConcurrentUpdateError extends PersistenceError {
  override name = 'ConcurrentUpdateError';
}

/** The current-execution condition of a create failed; carries the row that blocked it (if any). */
export class CurrentWorkflowConditionFailedError extends PersistenceError {
  override name = 'CurrentWorkflowConditionFailedError';
  constructor(
    readonly current: CurrentExecutionRow | undefined,
    message: string,
  ) {
    super(message);
  }
}

export class NamespaceAlreadyExistsError extends PersistenceError {
  override name = 'NamespaceAlreadyExistsError';
}

export class NamespaceNotFoundError extends PersistenceError {
  override name = 'NamespaceNotFoundError';
}

/** A version-conditioned write whose condition did not hold (e.g. namespace config_version). */
export class ConditionFailedError extends PersistenceError {
  override name = 'ConditionFailedError';
}

/** The task queue's range_id moved: another matching host leased the partition. */
export class TaskQueueLeaseLostError extends PersistenceError {
  override name = 'TaskQueueLeaseLostError';
}

/** A page token the store did not issue (or from another query). */
export class InvalidPageTokenError extends PersistenceError {
  override name = 'InvalidPageTokenError';
}

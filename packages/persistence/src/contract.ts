// The persistence contract. Every store (SQLite embedded, Cassandra) implements these interfaces, and the
// contract test suite (src/contract/) is the definition of correct. The shapes follow Cassandra's limits:
// every conditional write touches one partition (a shard, a task queue, a history branch), conditions are
// compare-and-set on a version column, and every read that can grow is paged.
import type { ClusterMetadataRecord, NamespaceRecord, ShardRecord } from '@tempora/proto/persistence';

/** An opaque, store-defined continuation token. Empty/undefined means "first page" on input, "no more" on output. */
export type PageToken = Uint8Array | undefined;

export interface Page<T> {
  items: T[];
  nextPageToken: PageToken;
}

// ---------------------------------------------------------------------------------------------------------------
// Cluster metadata
// ---------------------------------------------------------------------------------------------------------------

export interface ClusterMetadataStore {
  /**
   * Writes the record only if none exists yet and returns the record that is stored afterwards. This is how
   * numHistoryShards is fixed at first start: a later start with another value gets the stored one back.
   */
  initializeClusterMetadata(record: ClusterMetadataRecord): Promise<ClusterMetadataRecord>;
  getClusterMetadata(): Promise<ClusterMetadataRecord | undefined>;
  /**
   * Replaces the record when the stored one's version equals expectedVersion (the new record carries the next
   * version). Throws ConditionFailedError on a mismatch or when no record exists. Resharding commits through it.
   */
  updateClusterMetadata(record: ClusterMetadataRecord, expectedVersion: number): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Namespaces
// ---------------------------------------------------------------------------------------------------------------

export interface NamespaceStore {
  /** Throws NamespaceAlreadyExistsError when the name or the id is taken. */
  createNamespace(record: NamespaceRecord): Promise<void>;
  getNamespaceByName(name: string): Promise<NamespaceRecord | undefined>;
  getNamespaceById(id: string): Promise<NamespaceRecord | undefined>;
  /**
   * Replaces the record (same id and name) when its stored config_version equals expectedConfigVersion.
   * Throws NamespaceNotFoundError when absent, ConditionFailedError on a version mismatch.
   */
  updateNamespace(record: NamespaceRecord, expectedConfigVersion: number): Promise<void>;
  /**
   * Moves the namespace (same id) from previousName to record.info.name and writes the record, when the record stored
   * under previousName has this id and config_version expectedConfigVersion. Idempotent: a rename already done (the
   * new name holds this id, the previous one is gone) succeeds. Throws NamespaceNotFoundError when previousName does
   * not hold this id, NamespaceAlreadyExistsError when the new name belongs to another namespace,
   * ConditionFailedError on a version mismatch. Namespace deletion uses it to free the name.
   */
  renameNamespace(record: NamespaceRecord, previousName: string, expectedConfigVersion: number): Promise<void>;
  /** Ordered by name. */
  listNamespaces(pageSize: number, pageToken: PageToken): Promise<Page<NamespaceRecord>>;
  /** Idempotent. */
  deleteNamespace(id: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Shards
// ---------------------------------------------------------------------------------------------------------------

export interface ShardStore {
  /** Returns the shard row, creating it with range_id 0 when absent. */
  getOrCreateShard(shardId: number): Promise<ShardRecord>;
  /**
   * Replaces the shard row when its stored range_id equals expectedRangeId (the new record usually carries
   * a bumped range_id: that is how a host acquires a shard). Throws ShardOwnershipLostError otherwise.
   */
  updateShard(record: ShardRecord, expectedRangeId: number): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Executions and history tasks (one partition per shard)
// ---------------------------------------------------------------------------------------------------------------

export const HistoryTaskCategory = {
  Transfer: 'transfer',
  Timer: 'timer',
  Visibility: 'visibility',
  /**
   * Deletions of closed runs after their namespace's retention: timers of their own, so a wave of them is processed
   * at a bounded rate without holding back the shard's other timers.
   */
  Retention: 'retention',
} as const;
export type HistoryTaskCategory = (typeof HistoryTaskCategory)[keyof typeof HistoryTaskCategory];
/** The categories read in (fireTime, taskId) order. */
export type ScheduledTaskCategory = 'timer' | 'retention';
export const isScheduledCategory = (category: HistoryTaskCategory): category is ScheduledTaskCategory =>
  category === 'timer' || category === 'retention';
/**
 * The fire time a store keys a task by: only scheduled categories are ordered by fire time; the others are pinned to
 * 0 so that their reads are a task_id range scan.
 */
export const storedFireTime = (task: Pick<HistoryTask, 'category' | 'fireTime'>): number =>
  isScheduledCategory(task.category) ? task.fireTime : 0;
/** Narrows a task request of any category to its scheduled-category shape. */
export const isScheduledRequest = <T extends { category: HistoryTaskCategory }>(
  request: T,
): request is Extract<T, { category: ScheduledTaskCategory }> => isScheduledCategory(request.category);

/** A task in a shard's outbox, written in the same conditional write as the state change that produced it. */
export interface HistoryTask {
  category: HistoryTaskCategory;
  taskId: number;
  /** Epoch milliseconds. Timer and retention tasks are read in (fireTime, taskId) order; 0 for immediate categories. */
  fireTime: number;
  namespaceId: string;
  workflowId: string;
  runId: string;
  /** Serialized task body; opaque to the store. */
  data: Uint8Array;
}

/** The run's lifecycle as far as the current-execution pointer cares. */
export const ExecutionState = {
  Created: 1,
  Running: 2,
  Completed: 3,
} as const;
export type ExecutionState = (typeof ExecutionState)[keyof typeof ExecutionState];

export interface WorkflowExecutionRow {
  namespaceId: string;
  workflowId: string;
  runId: string;
  /** Serialized mutable state; opaque to the store. */
  state: Uint8Array;
  nextEventId: number;
  dbRecordVersion: number;
}

/** The per-workflow-id pointer to its current run. */
export interface CurrentExecutionRow {
  namespaceId: string;
  workflowId: string;
  runId: string;
  createRequestId: string;
  state: ExecutionState;
  /** temporal.api.enums.v1.WorkflowExecutionStatus */
  status: number;
  startTime: number;
  lastWriteVersion: number;
}

export type CurrentExecutionCondition =
  /** No current row may exist. */
  | { kind: 'brand-new' }
  /** The current row must point at this run, and the write replaces it (workflow id reuse, retries, cron). */
  | { kind: 'replace-current'; previousRunId: string };

export interface CreateWorkflowExecutionRequest {
  shardId: number;
  rangeId: number;
  current: CurrentExecutionCondition;
  execution: WorkflowExecutionRow;
  currentRow: CurrentExecutionRow;
  tasks: HistoryTask[];
  /** History batches the write carries, see HistoryAppend. */
  history?: HistoryAppend[];
}

export interface UpdateWorkflowExecutionRequest {
  shardId: number;
  rangeId: number;
  /** The row to write; its dbRecordVersion is the new version. */
  execution: WorkflowExecutionRow;
  expectedDbRecordVersion: number;
  /** When set, the current row for this workflow id is rewritten (it must point at execution.runId). */
  currentRow?: CurrentExecutionRow;
  /**
   * A run created in the same write (continue-as-new, retry, cron). The current row is then rewritten to point
   * at it and must have pointed at execution.runId.
   */
  newExecution?: WorkflowExecutionRow;
  tasks: HistoryTask[];
  /** History batches the write carries, see HistoryAppend. */
  history?: HistoryAppend[];
}

/**
 * A history batch appended by an execution write instead of its own appendHistoryNode call: in the write's
 * transaction (SQLite), or before its conditional batch, all the batches of a group commit in one request
 * (Cassandra). Either way it is stored once the write succeeds; a refused write may leave it behind, where it is
 * never read (readers stop at the execution's nextEventId) and the next append at its nodeId overrides it.
 */
export interface HistoryAppend {
  branchToken: string;
  node: HistoryNode;
}

/** One execution write of a group commit: a new run, or an update of one. */
export type ExecutionWrite =
  | { kind: 'create'; request: CreateWorkflowExecutionRequest }
  | { kind: 'update'; request: UpdateWorkflowExecutionRequest };

export interface ExecutionStore {
  /**
   * Conditioned on the shard's range_id and on the current-execution condition. Throws ShardOwnershipLostError,
   * or CurrentWorkflowConditionFailedError carrying the current row that blocked the write.
   */
  createWorkflowExecution(request: CreateWorkflowExecutionRequest): Promise<void>;
  /**
   * Conditioned on the shard's range_id and the execution's dbRecordVersion. Throws ShardOwnershipLostError or
   * ConcurrentUpdateError; nothing is written when either condition fails.
   */
  updateWorkflowExecution(request: UpdateWorkflowExecutionRequest): Promise<void>;
  /**
   * A group commit: writes of different workflow ids on one shard, all carrying the same shardId and rangeId, as one
   * conditional write (one LWT batch, one transaction) fenced once by the range id. Throws ShardOwnershipLostError,
   * writing nothing, when the range id is stale. Otherwise answers each write's outcome in order: undefined when it
   * was written, else the error it alone would have thrown (and none of its rows are written). Every write stands
   * alone: one failing never undoes another.
   */
  writeWorkflowExecutions(writes: ExecutionWrite[]): Promise<(Error | undefined)[]>;
  getWorkflowExecution(
    shardId: number,
    namespaceId: string,
    workflowId: string,
    runId: string,
  ): Promise<WorkflowExecutionRow | undefined>;
  getCurrentExecution(
    shardId: number,
    namespaceId: string,
    workflowId: string,
  ): Promise<CurrentExecutionRow | undefined>;
  /**
   * Deletes the run, and the current row too when it points at this run (also when the run row is already gone).
   * Conditioned on range_id.
   */
  deleteWorkflowExecution(
    shardId: number,
    rangeId: number,
    namespaceId: string,
    workflowId: string,
    runId: string,
  ): Promise<void>;
  /** Every run on the shard, paged (used by scanners and for recovery). */
  listWorkflowExecutions(shardId: number, pageSize: number, pageToken: PageToken): Promise<Page<WorkflowExecutionRow>>;
  /** Every current-execution row on the shard, paged (resharding moves them with their runs). */
  listCurrentExecutions(shardId: number, pageSize: number, pageToken: PageToken): Promise<Page<CurrentExecutionRow>>;
  /**
   * Resharding: writes rows copied from another shard as they are (upserts: a row with the same key is overwritten,
   * no version or current-execution condition), fenced by the shard's range id (ShardOwnershipLostError, nothing
   * written). A store may split a large request into several fenced writes; a caller that fails half-way repeats it.
   */
  importExecutions(request: ImportExecutionsRequest): Promise<void>;
  /** Deletes exactly these tasks (absent ones are skipped), fenced by the shard's range id. */
  deleteHistoryTasks(shardId: number, rangeId: number, tasks: HistoryTaskKey[]): Promise<void>;
  /**
   * Deletes every execution, current-execution and history task row of the shard (not the shard row, not history
   * branches), after checking the range id (ShardOwnershipLostError). For a shard no host serves: a reshard target.
   */
  purgeShard(shardId: number, rangeId: number): Promise<void>;

  /**
   * Immediate categories: tasks with exclusiveMinTaskId < taskId <= inclusiveMaxTaskId, ordered by taskId.
   * Timer and retention categories: tasks with (fireTime, taskId) > (minFireTime, exclusiveMinTaskId) and fireTime < maxFireTime,
   * ordered by (fireTime, taskId).
   */
  getHistoryTasks(request: GetHistoryTasksRequest): Promise<Page<HistoryTask>>;
  /** Deletes tasks of the category with taskId <= inclusiveMaxTaskId (timers: fireTime <= and, at equal time, taskId <=). */
  completeHistoryTasks(request: CompleteHistoryTasksRequest): Promise<void>;
}

export interface ImportExecutionsRequest {
  shardId: number;
  rangeId: number;
  executions: WorkflowExecutionRow[];
  currentRows: CurrentExecutionRow[];
  tasks: HistoryTask[];
}

/** What identifies one history task in its shard. */
export type HistoryTaskKey = Pick<HistoryTask, 'category' | 'taskId' | 'fireTime'>;

export type GetHistoryTasksRequest =
  | {
      shardId: number;
      category: 'transfer' | 'visibility';
      exclusiveMinTaskId: number;
      inclusiveMaxTaskId: number;
      pageSize: number;
      pageToken?: PageToken;
    }
  | {
      shardId: number;
      category: ScheduledTaskCategory;
      minFireTime: number;
      exclusiveMinTaskId: number;
      maxFireTime: number;
      pageSize: number;
      pageToken?: PageToken;
    };

export type CompleteHistoryTasksRequest =
  | { shardId: number; category: 'transfer' | 'visibility'; inclusiveMaxTaskId: number }
  | { shardId: number; category: ScheduledTaskCategory; inclusiveMaxFireTime: number; inclusiveMaxTaskId: number };

// ---------------------------------------------------------------------------------------------------------------
// History branches (append-only batches of events)
// ---------------------------------------------------------------------------------------------------------------

export interface HistoryNode {
  /** Event id of the first event in the batch. */
  nodeId: number;
  /** The task id of the write that appended the batch; a later append at the same nodeId wins. */
  txnId: number;
  /** Serialized temporal.api.history.v1.History holding the batch's events. */
  events: Uint8Array;
}

export interface HistoryStore {
  /** Idempotent per (branch, nodeId, txnId). Appending the same nodeId with a higher txnId overrides the older one. */
  appendHistoryNode(shardId: number, branchToken: string, node: HistoryNode): Promise<void>;
  /**
   * Batches with minNodeId <= nodeId < maxNodeId in nodeId order, at most pageSize batches a page; for each nodeId
   * only the highest txnId is returned.
   */
  readHistoryBranch(request: ReadHistoryBranchRequest): Promise<Page<HistoryNode>>;
  /** Same range, newest batch first. */
  readHistoryBranchReverse(request: ReadHistoryBranchRequest): Promise<Page<HistoryNode>>;
  deleteHistoryBranch(shardId: number, branchToken: string): Promise<void>;
}

export interface ReadHistoryBranchRequest {
  shardId: number;
  branchToken: string;
  minNodeId: number;
  maxNodeId: number;
  pageSize: number;
  pageToken?: PageToken;
}

// ---------------------------------------------------------------------------------------------------------------
// Task queues (matching backlog), one partition per task-queue partition
// ---------------------------------------------------------------------------------------------------------------

export interface TaskQueueKey {
  namespaceId: string;
  /** The partition's full name (root name, or "/_sys/<name>/<n>" for partitions > 0). */
  name: string;
  /** temporal.api.enums.v1.TaskQueueType */
  taskType: number;
}

export interface TaskQueueRecord {
  key: TaskQueueKey;
  rangeId: number;
  /** Tasks with id <= ackLevel have been handed out and acknowledged. */
  ackLevel: number;
  /** Sticky queues and other ephemeral partitions expire. Epoch ms, 0 = never. */
  expiryTime: number;
  /** Serialized extra metadata; opaque to the store. */
  data: Uint8Array;
}

export interface TaskQueueTask {
  taskId: number;
  /** Epoch ms after which the task may be dropped; 0 = never. */
  expiryTime: number;
  data: Uint8Array;
}

export interface TaskQueueStore {
  /** Returns the record, creating it with range_id 0 and ack level 0 when absent. */
  getOrCreateTaskQueue(key: TaskQueueKey): Promise<TaskQueueRecord>;
  /** Replaces the record when its stored range_id equals expectedRangeId; throws TaskQueueLeaseLostError otherwise. */
  updateTaskQueue(record: TaskQueueRecord, expectedRangeId: number): Promise<void>;
  /** Inserts tasks when the queue's range_id equals rangeId; throws TaskQueueLeaseLostError otherwise. */
  createTasks(key: TaskQueueKey, rangeId: number, tasks: TaskQueueTask[]): Promise<void>;
  /** Tasks with exclusiveMinTaskId < taskId <= inclusiveMaxTaskId, ordered by taskId, at most pageSize. */
  getTasks(
    key: TaskQueueKey,
    exclusiveMinTaskId: number,
    inclusiveMaxTaskId: number,
    pageSize: number,
  ): Promise<TaskQueueTask[]>;
  /** Deletes tasks with taskId <= inclusiveMaxTaskId. */
  completeTasks(key: TaskQueueKey, inclusiveMaxTaskId: number): Promise<void>;
  deleteTaskQueue(key: TaskQueueKey, expectedRangeId: number): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// The bundle a process opens
// ---------------------------------------------------------------------------------------------------------------

export interface PersistenceStores {
  readonly clusterMetadata: ClusterMetadataStore;
  readonly namespaces: NamespaceStore;
  readonly shards: ShardStore;
  readonly executions: ExecutionStore;
  readonly history: HistoryStore;
  readonly taskQueues: TaskQueueStore;
  /** Waits for in-flight writes to finish, then releases connections/handles. Safe to call twice. */
  close(): Promise<void>;
}

/** The shard and range id that every write of a group commit carries; a TypeError for none or a mix. */
export function sameShard(writes: readonly ExecutionWrite[]): { shardId: number; rangeId: number } {
  const first = writes[0]?.request;
  if (!first) throw new TypeError('a group commit needs at least one write');
  if (writes.some(({ request }) => request.shardId !== first.shardId || request.rangeId !== first.rangeId)) {
    throw new TypeError('the writes of a group commit must share one shard id and range id');
  }
  return { shardId: first.shardId, rangeId: first.rangeId };
}

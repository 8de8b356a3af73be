// Loads runs, serializes access to each, and persists a transaction as ONE conditional write of the execution row +
// current row + history tasks, fenced by the shard's range id and the run's dbRecordVersion, carrying the history
// batch (in its transaction on SQLite, ahead of it on Cassandra: HistoryAppend); the shard's concurrent transactions
// share that write (group commit, group-commit.ts). A batch orphaned by a failed write is never read (readers stop
// at nextEventId) and is overwritten by the next append at the same node id.
import type { HistoryLimit, Logger } from '@tempora/common';
import {
  ConcurrentUpdateError,
  ConditionFailedError,
  CurrentWorkflowConditionFailedError,
  ExecutionState,
  HistoryTaskCategory,
  ShardOwnershipLostError,
  type CurrentExecutionCondition,
  type CurrentExecutionRow,
  type ExecutionWrite,
  type HistoryAppend,
  type HistoryTask,
  type PersistenceStores,
  type WorkflowExecutionRow,
} from '@tempora/persistence';
import { History } from '@tempora/proto/history';
import { encodeMessage } from '@tempora/proto/wire';
import {
  TimerTaskBody,
  TransferTaskBody,
  VisibilityTaskBody,
  VisibilityTaskKind,
  WorkflowMutableState,
} from '@tempora/proto/persistence';
import { invalidArgument, notFound } from '@tempora/rpc';
import { detached, rememberRunContext } from '@tempora/telemetry';
import { terminateRun } from './close-run.js';
import { HistoryMetrics } from './engine-metrics.js';
import { DEFAULT_GROUP_COMMIT, ShardWriteGroups, type GroupCommitLimits } from './group-commit.js';
import { HISTORY_SERVICE_IDENTITY } from './identity.js';
import { MutableState, isClosedStatus } from './mutable-state.js';
import { Mutex } from './mutex.js';
import { isNotFound } from './rpc-codes.js';
import { ShardClosedError, type Shard } from './shard.js';
import { addDerivedVisibilityTasks } from './visibility-tasks.js';
import type { EventNotifier } from './event-notifier.js';

export interface RunKey {
  namespaceId: string;
  workflowId: string;
  runId: string;
}

export const runKeyString = (key: RunKey) => `${key.namespaceId}/${key.workflowId}/${key.runId}`;

/** Told about tasks a committed transaction wrote, so they run without waiting for a poll of the store. */
export interface TaskListener {
  /**
   * Every task a write committed, told synchronously before the write's task ids are released (so before any queue
   * may read past them): the immediate queues, and the timer queues within their look-ahead, take them from here
   * instead of reading the store.
   */
  tasksCommitted(tasks: readonly HistoryTask[]): void;
  /** A write failed in a way that may still have applied it: its tasks may be in the store only. */
  writeOutcomeUnknown(): void;
  transferTasksWritten(): void;
  timerTasksWritten(earliestFireTime: number): void;
  retentionTasksWritten(earliestFireTime: number): void;
  visibilityTasksWritten(): void;
}

/**
 * The retention of a run's namespace in ms, read when the run closes; undefined = no retention task (the namespace
 * is gone or being deleted, and its deletion removes the run).
 */
export type RetentionLookup = (namespaceId: string) => Promise<number | undefined>;

interface CachedRun {
  state: WorkflowMutableState;
  dbRecordVersion: number;
}

/** limits.historySize / limits.historyCount; a 0 threshold is off. */
export interface HistoryLimits {
  size: HistoryLimit;
  count: HistoryLimit;
}

/** Upstream's failure reasons (common.FailureReasonHistory*ExceedsLimit): the termination's reason and the error. */
export const HISTORY_SIZE_EXCEEDED = 'Workflow history size exceeds limit.';
export const HISTORY_COUNT_EXCEEDED = 'Workflow history count exceeds limit.';

/** The size and event count of a run's persisted history, before a transaction adds to it. */
interface HistoryExtent {
  running: boolean;
  size: number;
  count: number;
}

const MAX_CACHED_RUNS = 10_000;
const MAX_CONFLICT_RETRIES = 5;

export class ExecutionManager {
  private readonly cache = new Map<string, CachedRun>();
  private readonly locks = new Map<string, { mutex: Mutex; users: number }>();
  private readonly writes: ShardWriteGroups;

  constructor(
    private readonly shard: Shard,
    private readonly stores: PersistenceStores,
    private readonly notifier: EventNotifier,
    private readonly listener: TaskListener,
    private readonly logger: Logger,
    private readonly metrics: HistoryMetrics = new HistoryMetrics(),
    private readonly retention: RetentionLookup = () => Promise.resolve(undefined),
    private readonly historyLimits?: HistoryLimits,
    groupCommit: GroupCommitLimits = DEFAULT_GROUP_COMMIT,
  ) {
    this.writes = new ShardWriteGroups(stores.executions, groupCommit, (writes) => metrics.groupCommitted(writes));
  }

  async getCurrent(namespaceId: string, workflowId: string): Promise<CurrentExecutionRow | undefined> {
    return this.stores.executions.getCurrentExecution(this.shard.shardId, namespaceId, workflowId);
  }

  /** The run id to act on: the given one, or the current run of the workflow id. */
  async resolveRunId(namespaceId: string, workflowId: string, runId: string | undefined): Promise<string> {
    if (runId) return runId;
    const current = await this.getCurrent(namespaceId, workflowId);
    if (!current) throw notFound(`workflow not found for ID: ${workflowId}`);
    return current.runId;
  }

  /**
   * Runs `fn` on the run's mutable state under the run's lock and persists what it changed. On a version
   * conflict the cached state is dropped and `fn` runs again on fresh state; any other failure drops the cached
   * state too, so a half-applied change is never seen.
   */
  async update<T>(key: RunKey, fn: (ms: MutableState) => Promise<T> | T): Promise<T> {
    this.shard.assertOpen();
    const keyString = runKeyString(key);
    return this.withLock(keyString, async () => {
      for (let attempt = 1; ; attempt++) {
        const cached = await this.load(key, keyString);
        const ms = new MutableState(cached.state);
        const before = extentOf(ms);
        try {
          const result = await fn(ms);
          ms.convertTransientWorkflowTaskIfEventsWritten();
          if (ms.hasChanges) {
            const breach = this.historyLimitBreach(key, before);
            if (breach) {
              await this.forceTerminate(key, keyString, breach);
              throw invalidArgument(breach);
            }
            await this.persistUpdate(key, ms, cached.dbRecordVersion);
            cached.dbRecordVersion++;
            this.warnOnHistoryGrowth(key, before, extentOf(ms));
          }
          this.afterCommit(keyString, ms);
          return result;
        } catch (err) {
          this.cache.delete(keyString);
          if (err instanceof ConcurrentUpdateError && attempt < MAX_CONFLICT_RETRIES) continue;
          throw err;
        }
      }
    });
  }

  /**
   * Upstream's enforceHistorySizeCheck / enforceHistoryCountCheck: a running run whose persisted history is over an
   * error limit takes no further change; the reason of the limit it broke, or undefined.
   */
  private historyLimitBreach(key: RunKey, before: HistoryExtent): string | undefined {
    const limits = this.historyLimits;
    if (!limits || !before.running) return undefined;
    const breach =
      limits.size.error > 0 && before.size > limits.size.error
        ? HISTORY_SIZE_EXCEEDED
        : limits.count.error > 0 && before.count > limits.count.error
          ? HISTORY_COUNT_EXCEEDED
          : undefined;
    if (breach)
      this.logger.warn(
        { ...key, historySize: before.size, historyCount: before.count, limits },
        'history size exceeds error limit; terminating the run',
      );
    return breach;
  }

  /** Once per run and threshold: the transaction that takes the history past a warn limit logs it. */
  private warnOnHistoryGrowth(key: RunKey, before: HistoryExtent, after: HistoryExtent): void {
    const limits = this.historyLimits;
    if (!limits) return;
    const crossed = (limit: number, from: number, to: number) => limit > 0 && from <= limit && to > limit;
    if (crossed(limits.size.warn, before.size, after.size) || crossed(limits.count.warn, before.count, after.count))
      this.logger.warn(
        { ...key, historySize: after.size, historyCount: after.count, limits },
        'history size exceeds warn limit',
      );
  }

  /** Drops the transaction in hand and terminates the run instead, as history-service. */
  private async forceTerminate(key: RunKey, keyString: string, reason: string): Promise<void> {
    this.cache.delete(keyString);
    const fresh = await this.load(key, keyString);
    const ms = new MutableState(fresh.state);
    if (!ms.isRunning) return;
    terminateRun(ms, reason, undefined, HISTORY_SERVICE_IDENTITY);
    await this.persistUpdate(key, ms, fresh.dbRecordVersion);
    fresh.dbRecordVersion++;
    this.afterCommit(keyString, ms);
  }

  /**
   * Deletes the run (and the current row when it points at it) and its history. The visibility record's delete is
   * written first, as a task of the run's shard, so it outlives the run's rows. A run already gone (a delete cut
   * short by a crash, run again) still gets its branch deleted. With onlyIfClosed a running run is left alone and
   * the answer is false.
   */
  async delete(key: RunKey, options: { onlyIfClosed?: boolean } = {}): Promise<boolean> {
    const proceed = await this.update(key, (ms) => {
      if (options.onlyIfClosed && ms.isRunning) return false;
      ms.addVisibilityTask(VisibilityTaskKind.VISIBILITY_TASK_KIND_DELETE);
      return true;
    }).catch((err: unknown) => {
      if (isNotFound(err)) return true;
      throw err;
    });
    if (!proceed) return false;
    const keyString = runKeyString(key);
    await this.withLock(keyString, async () => {
      try {
        await this.stores.executions.deleteWorkflowExecution(
          this.shard.shardId,
          this.shard.rangeId,
          key.namespaceId,
          key.workflowId,
          key.runId,
        );
      } catch (err) {
        throw this.translate(err);
      } finally {
        this.cache.delete(keyString);
      }
      await this.stores.history.deleteHistoryBranch(this.shard.shardId, key.runId);
      this.notifier.notify(keyString);
    });
    return true;
  }

  /** Read-only access under the run's lock; a shard this host gave up is read at its new owner, never from here. */
  async read<T>(key: RunKey, fn: (ms: MutableState) => Promise<T> | T): Promise<T> {
    this.shard.assertOpen();
    const keyString = runKeyString(key);
    return this.withLock(keyString, async () => fn(new MutableState((await this.load(key, keyString)).state)));
  }

  /** Persists a brand-new run (its first events and tasks) under the current-execution condition. */
  async create(ms: MutableState, condition: CurrentExecutionCondition): Promise<void> {
    this.shard.assertOpen();
    const key = runKeyOf(ms);
    const keyString = runKeyString(key);
    addDerivedVisibilityTasks(ms, true);
    countStateTransition(ms);
    await this.withLock(keyString, async () => {
      const taskIds = await this.shard.allocateTaskIds(taskIdCount(ms));
      try {
        const history = this.historyAppends(ms, taskIds);
        const tasks = this.historyTasks(key, ms, taskIds);
        await this.commit({
          kind: 'create',
          request: {
            shardId: this.shard.shardId,
            rangeId: this.shard.rangeId,
            current: condition,
            execution: executionRow(ms, 1),
            currentRow: currentRow(ms),
            tasks,
            history,
          },
        });
      } catch (err) {
        // A refused create (another run is current) wrote no run, but a store may have written its history ahead
        // of the refusal: that branch would never be read or deleted.
        if (ms.newEvents.length && err instanceof CurrentWorkflowConditionFailedError) {
          await this.stores.history.deleteHistoryBranch(this.shard.shardId, key.runId).catch((cleanupErr: unknown) => {
            this.logger.warn({ ...key, err: cleanupErr }, 'deleting the branch of a refused create failed');
          });
        }
        throw this.translate(err);
      } finally {
        this.shard.releaseTaskIds(taskIds);
      }
      this.cache.set(keyString, { state: ms.state, dbRecordVersion: 1 });
      this.afterCommit(keyString, ms);
    });
  }

  private async persistUpdate(key: RunKey, ms: MutableState, dbRecordVersion: number): Promise<void> {
    const newRun = ms.newRun;
    addDerivedVisibilityTasks(ms, false);
    if (ms.statusChanged && !ms.isRunning) await this.addRetentionTask(ms);
    if (newRun) addDerivedVisibilityTasks(newRun, true);
    countStateTransition(ms);
    if (newRun) countStateTransition(newRun);
    const taskIds = await this.shard.allocateTaskIds(taskIdCount(ms) + (newRun ? taskIdCount(newRun) : 0));
    const newRunTaskIds = taskIds.slice(taskIdCount(ms));
    try {
      const history = [
        ...this.historyAppends(ms, taskIds),
        ...(newRun ? this.historyAppends(newRun, newRunTaskIds) : []),
      ];
      await this.commit({
        kind: 'update',
        request: {
          shardId: this.shard.shardId,
          rangeId: this.shard.rangeId,
          execution: executionRow(ms, dbRecordVersion + 1),
          expectedDbRecordVersion: dbRecordVersion,
          currentRow: newRun ? currentRow(newRun) : ms.statusChanged ? currentRow(ms) : undefined,
          newExecution: newRun ? executionRow(newRun, 1) : undefined,
          tasks: [
            ...this.historyTasks(key, ms, taskIds),
            ...(newRun ? this.historyTasks(runKeyOf(newRun), newRun, newRunTaskIds) : []),
          ],
          history,
        },
      });
    } catch (err) {
      throw this.translate(err);
    } finally {
      this.shard.releaseTaskIds(taskIds);
    }
    if (newRun) this.cache.set(runKeyString(runKeyOf(newRun)), { state: newRun.state, dbRecordVersion: 1 });
  }

  /** The conditional write (shared with the shard's other transitions in flight), then its tasks told. */
  private async commit(write: ExecutionWrite): Promise<void> {
    try {
      await this.writes.write(write);
    } catch (err) {
      if (!isRefusal(err)) this.listener.writeOutcomeUnknown();
      throw err;
    }
    this.listener.tasksCommitted(write.request.tasks);
  }

  /** Upstream's DeleteHistoryEventTask: the closed run is deleted once its namespace's retention has passed. */
  private async addRetentionTask(ms: MutableState): Promise<void> {
    const retentionMs = await this.retention(ms.info.namespaceId);
    if (retentionMs === undefined) return;
    const closeTime = ms.info.closeTime?.getTime() ?? ms.now.getTime();
    ms.addTimerTask(closeTime + retentionMs, { deleteHistoryEvent: {} });
  }

  private afterCommit(keyString: string, ms: MutableState): void {
    this.metrics.committed(ms);
    if (ms.newEvents.length || ms.statusChanged) this.notifier.notify(keyString, !ms.isRunning);
    const runs = ms.newRun ? [ms, ms.newRun] : [ms];
    // With traces on, the transfer tasks (matching dispatch) continue this request's trace; the queues themselves
    // are woken outside it (their loops outlive the request).
    for (const r of runs) {
      if (!r.transferTasks.length) continue;
      const k = runKeyOf(r);
      rememberRunContext(k.namespaceId, k.workflowId, k.runId);
    }
    detached(() => {
      if (runs.some((r) => r.transferTasks.length)) this.listener.transferTasksWritten();
      const timers = runs.flatMap((r) => r.timerTasks);
      const fireTimes = timers.filter((t) => !t.body.deleteHistoryEvent).map((t) => t.fireTime);
      if (fireTimes.length) this.listener.timerTasksWritten(Math.min(...fireTimes));
      const retentionTimes = timers.filter((t) => t.body.deleteHistoryEvent).map((t) => t.fireTime);
      if (retentionTimes.length) this.listener.retentionTasksWritten(Math.min(...retentionTimes));
      if (runs.some((r) => r.visibilityTasks.length)) this.listener.visibilityTasksWritten();
    });
  }

  /**
   * The transaction's events as the batch its execution write carries. The first task id of the allocation is the
   * batch's txn id; the rest go to the history tasks in order.
   */
  private historyAppends(ms: MutableState, taskIds: number[]): HistoryAppend[] {
    if (!ms.newEvents.length) return [];
    const txnId = taskIds[0]!;
    for (const event of ms.newEvents) event.taskId = txnId;
    ms.info.lastEventTaskId = txnId;
    // Encoded once, here: the history size is the sum of the stored batches (as upstream counts it), so it covers
    // this transaction's events from its commit on; the started event of a workflow task reports the size before.
    const events = encodeMessage(History, { events: ms.newEvents });
    ms.info.historySizeBytes += events.length;
    return [{ branchToken: ms.info.runId, node: { nodeId: ms.newEvents[0]!.eventId, txnId, events } }];
  }

  private historyTasks(key: RunKey, ms: MutableState, taskIds: number[]): HistoryTask[] {
    let next = ms.newEvents.length ? 1 : 0;
    const base = { namespaceId: key.namespaceId, workflowId: key.workflowId, runId: key.runId };
    return [
      ...ms.transferTasks.map((body) => ({
        ...base,
        category: 'transfer' as const,
        taskId: taskIds[next++]!,
        fireTime: 0,
        data: encodeMessage(TransferTaskBody, body),
      })),
      ...ms.timerTasks.map((timer) => {
        const category = timer.body.deleteHistoryEvent ? HistoryTaskCategory.Retention : HistoryTaskCategory.Timer;
        return {
          ...base,
          category,
          taskId: taskIds[next++]!,
          // After the task ids were allocated (the write counts as in flight from then on), see scheduledFireTime.
          fireTime: this.shard.scheduledFireTime(category, timer.fireTime),
          data: encodeMessage(TimerTaskBody, timer.body),
        };
      }),
      ...ms.visibilityTasks.map((kind) => ({
        ...base,
        category: 'visibility' as const,
        taskId: taskIds[next++]!,
        fireTime: 0,
        data: encodeMessage(VisibilityTaskBody, { kind }),
      })),
    ];
  }

  private translate(err: unknown): unknown {
    if (err instanceof ShardOwnershipLostError) {
      this.shard.close();
      return new ShardClosedError(this.shard.shardId);
    }
    return err;
  }

  private async load(key: RunKey, keyString: string): Promise<CachedRun> {
    const cached = this.cache.get(keyString);
    if (cached) {
      // Refresh recency for the LRU bound.
      this.cache.delete(keyString);
      this.cache.set(keyString, cached);
      return cached;
    }
    const row = await this.stores.executions.getWorkflowExecution(
      this.shard.shardId,
      key.namespaceId,
      key.workflowId,
      key.runId,
    );
    if (!row)
      throw notFound(`workflow execution not found for workflow ID "${key.workflowId}" and run ID "${key.runId}"`);
    const loaded = { state: WorkflowMutableState.decode(row.state), dbRecordVersion: row.dbRecordVersion };
    this.cache.set(keyString, loaded);
    if (this.cache.size > MAX_CACHED_RUNS) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined && !this.locks.has(oldest)) this.cache.delete(oldest);
    }
    return loaded;
  }

  private async withLock<T>(keyString: string, fn: () => Promise<T>): Promise<T> {
    let lock = this.locks.get(keyString);
    if (!lock) {
      lock = { mutex: new Mutex(), users: 0 };
      this.locks.set(keyString, lock);
    }
    lock.users++;
    try {
      return await lock.mutex.run(fn);
    } finally {
      if (--lock.users === 0) this.locks.delete(keyString);
    }
  }
}

/** A store refusal: a condition did not hold, so nothing of the write was applied. */
function isRefusal(err: unknown): boolean {
  return (
    err instanceof ConcurrentUpdateError ||
    err instanceof CurrentWorkflowConditionFailedError ||
    err instanceof ConditionFailedError ||
    err instanceof ShardOwnershipLostError
  );
}

function extentOf(ms: MutableState): HistoryExtent {
  return { running: ms.isRunning, size: Number(ms.info.historySizeBytes), count: ms.info.nextEventId - 1 };
}

function runKeyOf(ms: MutableState): RunKey {
  return { namespaceId: ms.info.namespaceId, workflowId: ms.info.workflowId, runId: ms.info.runId };
}

/** As upstream, every write of a run's mutable state is one state transition (describe's stateTransitionCount). */
function countStateTransition(ms: MutableState): void {
  ms.info.stateTransitionCount++;
}

function taskIdCount(ms: MutableState): number {
  return (ms.newEvents.length ? 1 : 0) + ms.transferTasks.length + ms.timerTasks.length + ms.visibilityTasks.length;
}

function executionRow(ms: MutableState, dbRecordVersion: number): WorkflowExecutionRow {
  return {
    ...runKeyOf(ms),
    state: encodeMessage(WorkflowMutableState, ms.state),
    nextEventId: ms.info.nextEventId,
    dbRecordVersion,
  };
}

export function currentRow(ms: MutableState): CurrentExecutionRow {
  return {
    ...runKeyOf(ms),
    createRequestId: ms.info.createRequestId,
    state: isClosedStatus(ms.info.status) ? ExecutionState.Completed : ExecutionState.Running,
    status: ms.info.status,
    startTime: ms.info.startTime?.getTime() ?? 0,
    lastWriteVersion: 0,
  };
}

// History's engine metrics, by upstream's names: workflow close outcomes (workflow_success, ...), history size and
// count at close, shard ownership and movement, queue task latency and attempts. Handles are resolved once.
import type { HistoryTask } from '@tempora/persistence';
import { WorkflowExecutionStatus } from '@tempora/proto/enums';
import { TimerTaskBody, TransferTaskBody, VisibilityTaskBody, VisibilityTaskKind } from '@tempora/proto/persistence';
import { NOOP_METRICS, type CounterHandle, type Metrics } from '@tempora/telemetry';
import type { MutableState } from './mutable-state.js';
import type { PageResult } from './queues/immediate-queue.js';

/** Upstream's task_type (and operation) values of visibility tasks, by kind. */
const VISIBILITY_TASK_TYPES: Record<number, string> = {
  [VisibilityTaskKind.VISIBILITY_TASK_KIND_START]: 'VisibilityTaskStartExecution',
  [VisibilityTaskKind.VISIBILITY_TASK_KIND_UPSERT]: 'VisibilityTaskUpsertExecution',
  [VisibilityTaskKind.VISIBILITY_TASK_KIND_CLOSE]: 'VisibilityTaskCloseExecution',
  [VisibilityTaskKind.VISIBILITY_TASK_KIND_DELETE]: 'VisibilityTaskDeleteExecution',
};

export function visibilityTaskType(task: HistoryTask): string {
  const { kind } = VisibilityTaskBody.decode(task.data);
  return VISIBILITY_TASK_TYPES[kind] ?? 'VisibilityTaskUnspecified';
}

/** Upstream's task_type of a transfer task (GetActiveTransferTaskTypeTagValue). */
export function transferTaskType(task: HistoryTask): string {
  const body = TransferTaskBody.decode(task.data);
  if (body.workflowTask) return 'TransferActiveTaskWorkflowTask';
  if (body.activityTask) return 'TransferActiveTaskActivity';
  if (body.closeExecution) return 'TransferActiveTaskCloseExecution';
  if (body.cancelExternal) return 'TransferActiveTaskCancelExecution';
  if (body.signalExternal) return 'TransferActiveTaskSignalExecution';
  if (body.startChild) return 'TransferActiveTaskStartChildExecution';
  return 'TransferActiveTaskUnspecified';
}

/** Upstream's task_type of a timer or retention task (GetActiveTimerTaskTypeTagValue). */
export function timerTaskType(task: HistoryTask): string {
  const body = TimerTaskBody.decode(task.data);
  if (body.workflowTaskTimeout) return 'TimerActiveTaskWorkflowTaskTimeout';
  if (body.activityTimeout) return 'TimerActiveTaskActivityTimeout';
  if (body.userTimer) return 'TimerActiveTaskUserTimer';
  if (body.activityRetry) return 'TimerActiveTaskActivityRetryTimer';
  if (body.workflowTimeout) {
    return body.workflowTimeout.isExecutionTimeout
      ? 'TimerActiveTaskWorkflowExecutionTimeout'
      : 'TimerActiveTaskWorkflowRunTimeout';
  }
  if (body.workflowBackoff) return 'TimerActiveTaskWorkflowBackoffTimer';
  if (body.deleteHistoryEvent) return 'TimerActiveTaskDeleteHistoryEvent';
  return 'TimerActiveTaskUnspecified';
}

export class HistoryMetrics {
  readonly enabled: boolean;
  private readonly closed = new Map<number, CounterHandle>();
  private readonly historySize;
  private readonly historyCount;
  private readonly numShards;
  private readonly shardCreated;
  private readonly shardRemoved;
  private readonly shardAcquisition;
  private readonly taskRequests;
  private readonly taskErrors;
  private readonly taskLatency;
  private readonly taskLatencyQueue;
  private readonly taskAttempt;
  private readonly groupCommitWrites;
  private readonly reshardMoved;
  private readonly reshardSplits;
  private readonly reshardSplitLatency;

  constructor(
    metrics: Metrics = NOOP_METRICS,
    /** The name of a namespace id (cached), for the namespace tag. */
    private readonly namespaceName: (id: string) => string | undefined = () => undefined,
  ) {
    const m = metrics.withTags({ service_name: 'history' });
    this.enabled = m.enabled;
    const S = WorkflowExecutionStatus;
    this.closed.set(S.WORKFLOW_EXECUTION_STATUS_COMPLETED, m.counter('workflow_success'));
    this.closed.set(S.WORKFLOW_EXECUTION_STATUS_FAILED, m.counter('workflow_failed'));
    this.closed.set(S.WORKFLOW_EXECUTION_STATUS_TIMED_OUT, m.counter('workflow_timeout'));
    this.closed.set(S.WORKFLOW_EXECUTION_STATUS_CANCELED, m.counter('workflow_cancel'));
    this.closed.set(S.WORKFLOW_EXECUTION_STATUS_TERMINATED, m.counter('workflow_terminate'));
    this.closed.set(S.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW, m.counter('workflow_continued_as_new'));
    this.historySize = m.histogram('history_size');
    this.historyCount = m.histogram('history_count');
    const shards = m.withTags({ operation: 'ShardController' });
    this.numShards = shards.gauge('numshards_gauge');
    this.shardCreated = shards.counter('sharditem_created_count');
    this.shardRemoved = shards.counter('sharditem_removed_count');
    this.shardAcquisition = shards.histogram('sharditem_acquisition_latency');
    this.taskRequests = m.counter('task_requests');
    this.taskErrors = m.counter('task_errors');
    this.taskLatency = m.histogram('task_latency');
    this.taskLatencyQueue = m.histogram('task_latency_queue');
    this.taskAttempt = m.histogram('task_attempt');
    this.groupCommitWrites = m.histogram('group_commit_writes');
    // Tempora's own: upstream cannot reshard.
    const reshard = m.withTags({ operation: 'Reshard' });
    this.reshardMoved = reshard.counter('reshard_moved_executions');
    this.reshardSplits = reshard.counter('reshard_shard_splits');
    this.reshardSplitLatency = reshard.histogram('reshard_split_latency');
  }

  /** A committed split of one shard, which moved `moved` runs to its new shards in `ms`. */
  shardSplit(moved: number, ms: number): void {
    this.reshardMoved.add(moved);
    this.reshardSplits.add(1);
    this.reshardSplitLatency.record(ms / 1000);
  }

  groupCommitted(writes: number): void {
    if (this.enabled) this.groupCommitWrites.record(writes);
  }

  private namespace(id: string): string {
    return this.namespaceName(id) ?? id;
  }

  /** After a committed transaction: a run that closed in it counts its outcome, history size and count. */
  committed(ms: MutableState): void {
    if (!this.enabled || !ms.statusChanged) return;
    const counter = this.closed.get(ms.info.status);
    if (!counter) return;
    const namespace = this.namespace(ms.info.namespaceId);
    counter.add(1, {
      operation: 'CompletionStats',
      namespace,
      namespace_state: 'active',
      taskqueue: ms.info.taskQueue,
      workflowType: ms.info.workflowType,
    });
    const tags = { operation: 'CompletionStats', namespace };
    this.historySize.record(Number(ms.info.historySizeBytes), tags);
    this.historyCount.record(Number(ms.info.nextEventId) - 1, tags);
  }

  shardAcquired(ms: number, owned: number): void {
    this.shardCreated.add(1);
    this.shardAcquisition.record(ms / 1000);
    this.numShards.set(owned);
  }

  shardReleased(owned: number): void {
    this.shardRemoved.add(1);
    this.numShards.set(owned);
  }

  /**
   * Wraps a queue's task executor: task_requests, task_errors, task_latency (processing), task_latency_queue
   * (timers: since the fire time), task_attempt (attempts a task took, recorded when it succeeds).
   */
  measureExecutor(
    taskType: (task: HistoryTask) => string,
    execute: (task: HistoryTask) => Promise<void>,
  ): (task: HistoryTask) => Promise<void> {
    if (!this.enabled) return execute;
    const attempts = new Map<number, number>();
    return async (task) => {
      const type = taskType(task);
      const tags = { operation: type, task_type: type, namespace: this.namespace(task.namespaceId) };
      const start = performance.now();
      try {
        await execute(task);
        const attempt = (attempts.get(task.taskId) ?? 0) + 1;
        attempts.delete(task.taskId);
        this.taskAttempt.record(attempt, tags);
        if (task.fireTime > 0) this.taskLatencyQueue.record(Math.max(0, Date.now() - task.fireTime) / 1000, tags);
      } catch (err) {
        attempts.set(task.taskId, (attempts.get(task.taskId) ?? 0) + 1);
        this.taskErrors.add(1, tags);
        throw err;
      } finally {
        this.taskRequests.add(1, tags);
        this.taskLatency.record((performance.now() - start) / 1000, tags);
      }
    };
  }

  /**
   * Wraps the page handler of a queue that writes a page of tasks as one bulk write (visibility): each task of the
   * page counts task_requests and records the page's time as its task_latency; when the write fails, every task
   * not done was in it and counts task_errors; a task that succeeds records task_attempt.
   */
  measurePages(
    taskType: (task: HistoryTask) => string,
    handlePage: (tasks: HistoryTask[]) => Promise<PageResult>,
  ): (tasks: HistoryTask[]) => Promise<PageResult> {
    if (!this.enabled) return handlePage;
    const attempts = new Map<number, number>();
    return async (tasks) => {
      const start = performance.now();
      const result = await handlePage(tasks);
      const seconds = (performance.now() - start) / 1000;
      const attempted = result.error === undefined ? result.done : tasks.length;
      for (let i = 0; i < attempted; i++) {
        const task = tasks[i]!;
        const type = taskType(task);
        const tags = { operation: type, task_type: type, namespace: this.namespace(task.namespaceId) };
        this.taskRequests.add(1, tags);
        this.taskLatency.record(seconds, tags);
        const attempt = (attempts.get(task.taskId) ?? 0) + 1;
        if (i < result.done) {
          attempts.delete(task.taskId);
          this.taskAttempt.record(attempt, tags);
        } else {
          attempts.set(task.taskId, attempt);
          this.taskErrors.add(1, tags);
        }
      }
      return result;
    };
  }
}

// History's engine metrics, by upstream's names: workflow close outcomes (workflow_success, ...), history size and
// count at close, shard ownership and movement, queue task latency and attempts. Handles are resolved once.
import type { HistoryTask } from '@tempora/persistence';
import { WorkflowExecutionStatus } from '@tempora/proto/enums';
import { NOOP_METRICS, type CounterHandle, type Metrics } from '@tempora/telemetry';
import type { MutableState } from './mutable-state.js';

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
    operation: string,
    execute: (task: HistoryTask) => Promise<void>,
  ): (task: HistoryTask) => Promise<void> {
    if (!this.enabled) return execute;
    const attempts = new Map<number, number>();
    return async (task) => {
      const tags = { operation, task_type: operation, namespace: this.namespace(task.namespaceId) };
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
}

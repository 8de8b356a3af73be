// Matching's engine metrics, by upstream's names and tags: poll_success / poll_success_sync / poll_timeouts,
// task_schedule_to_start_latency, approximate_backlog_count (per task queue: namespace, taskqueue, task_type,
// partition), loaded_task_queue_count.
import { NOOP_METRICS, type Metrics } from '@tempora/telemetry';
import type { TaskQueueKey } from '@tempora/persistence';

const TASK_TYPES: Record<number, string> = { 1: 'Workflow', 2: 'Activity', 3: 'Nexus' };

export class MatchingMetrics {
  readonly enabled: boolean;
  private readonly pollSuccess;
  private readonly pollSuccessSync;
  private readonly pollTimeouts;
  private readonly scheduleToStart;
  private readonly backlog;
  private readonly loaded;

  constructor(
    metrics: Metrics = NOOP_METRICS,
    private readonly namespaceName: (id: string) => string | undefined = () => undefined,
  ) {
    const m = metrics.withTags({ service_name: 'matching' });
    this.enabled = m.enabled;
    const mgr = m.withTags({ operation: 'TaskQueueMgr' });
    this.pollSuccess = mgr.counter('poll_success');
    this.pollSuccessSync = mgr.counter('poll_success_sync');
    this.pollTimeouts = mgr.counter('poll_timeouts');
    this.scheduleToStart = mgr.histogram('task_schedule_to_start_latency');
    this.backlog = m.withTags({ operation: 'TaskQueuePartitionManager' }).gauge('approximate_backlog_count');
    this.loaded = m.gauge('loaded_task_queue_count');
  }

  /** The per-queue tags (the namespace name is looked up each time: it may be cached only later). */
  private tags(key: TaskQueueKey, sticky: boolean) {
    return {
      namespace: this.namespaceName(key.namespaceId) ?? key.namespaceId,
      taskqueue: key.name,
      task_type: TASK_TYPES[key.taskType] ?? String(key.taskType),
      partition: sticky ? '__sticky__' : '0',
    };
  }

  /** A poll ended: with a task (sync = handed over by a waiting AddTask), or with none. */
  polled(key: TaskQueueKey, sticky: boolean, outcome: 'sync' | 'backlog' | 'timeout', createdAt?: number): void {
    if (!this.enabled) return;
    const tags = this.tags(key, sticky);
    if (outcome === 'timeout') {
      this.pollTimeouts.add(1, tags);
      return;
    }
    this.pollSuccess.add(1, tags);
    if (outcome === 'sync') this.pollSuccessSync.add(1, tags);
    if (createdAt) this.scheduleToStart.record(Math.max(0, Date.now() - createdAt) / 1000, tags);
  }

  backlogCount(key: TaskQueueKey, sticky: boolean, count: number): void {
    if (this.enabled) this.backlog.set(count, this.tags(key, sticky));
  }

  loadedQueues(count: number): void {
    this.loaded.set(count);
  }
}

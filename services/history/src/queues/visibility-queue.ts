// Moves a shard's visibility tasks into the VisibilityStore, in task-id order, a page at a time as one bulk write.
// A task is deleted (acked) only after the store acknowledged its write, so a crash replays it; the store ignores a
// write older than what it holds, so replays are harmless. A failed write is retried with backoff, holding back
// the tasks after it, so updates of a run are never applied out of order.
import type { Logger } from '@tempora/common';
import type { HistoryTask, PersistenceStores } from '@tempora/persistence';
import { VisibilityTaskBody, VisibilityTaskKind } from '@tempora/proto/generated/tempora/persistence/v1/history_tasks';
import { NamespaceSearchAttributes, type VisibilityStore, type VisibilityWrite } from '@tempora/visibility';
import type { ExecutionManager } from '../execution-manager.js';
import type { Shard } from '../shard.js';
import { ignoreNotFound } from './not-found.js';
import { visibilityRecord } from './visibility-record.js';

const PAGE_SIZE = 500;
const MIN_RETRY_DELAY_MS = 200;
const MAX_RETRY_DELAY_MS = 30_000;

export class VisibilityQueue {
  private ackLevel = 0;
  private running = false;
  private rerun = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = MIN_RETRY_DELAY_MS;

  constructor(
    private readonly shard: Shard,
    private readonly stores: PersistenceStores,
    private readonly executions: ExecutionManager,
    private readonly visibility: VisibilityStore,
    private readonly logger: Logger,
  ) {}

  notify(): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = true;
    void this.drain()
      .then(
        () => {
          this.retryDelayMs = MIN_RETRY_DELAY_MS;
        },
        (err: unknown) => {
          if (this.stopped) return;
          this.logger.warn({ shardId: this.shard.shardId, err, retryInMs: this.retryDelayMs }, 'visibility write failed; retrying');
          clearTimeout(this.retryTimer);
          this.retryTimer = setTimeout(() => this.notify(), this.retryDelayMs);
          this.retryDelayMs = Math.min(this.retryDelayMs * 2, MAX_RETRY_DELAY_MS);
        },
      )
      .finally(() => {
        this.running = false;
        if (this.rerun && !this.stopped) {
          this.rerun = false;
          this.notify();
        }
      });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  private async drain(): Promise<void> {
    while (!this.stopped && !this.shard.closed) {
      const maxReadLevel = this.shard.maxReadLevel();
      if (maxReadLevel <= this.ackLevel) return;
      const page = await this.stores.executions.getHistoryTasks({
        shardId: this.shard.shardId,
        category: 'visibility',
        exclusiveMinTaskId: this.ackLevel,
        inclusiveMaxTaskId: maxReadLevel,
        pageSize: PAGE_SIZE,
      });
      if (!page.items.length) {
        this.ackLevel = maxReadLevel;
        return;
      }
      await this.visibility.write(await this.writesFor(page.items));
      const last = page.items[page.items.length - 1]!.taskId;
      await this.stores.executions.completeHistoryTasks({ shardId: this.shard.shardId, category: 'visibility', inclusiveMaxTaskId: last });
      this.ackLevel = last;
    }
  }

  private async writesFor(tasks: HistoryTask[]): Promise<VisibilityWrite[]> {
    const attributesByNamespace = new Map<string, NamespaceSearchAttributes>();
    const writes: VisibilityWrite[] = [];
    for (const task of tasks) {
      const { kind } = VisibilityTaskBody.decode(task.data);
      if (kind === VisibilityTaskKind.VISIBILITY_TASK_KIND_DELETE) {
        writes.push({ kind: 'delete', namespaceId: task.namespaceId, workflowId: task.workflowId, runId: task.runId, version: task.taskId });
        continue;
      }
      let attributes = attributesByNamespace.get(task.namespaceId);
      if (!attributes) {
        const namespace = await this.stores.namespaces.getNamespaceById(task.namespaceId);
        attributes = new NamespaceSearchAttributes(namespace?.config?.customSearchAttributeAliases ?? {});
        attributesByNamespace.set(task.namespaceId, attributes);
      }
      const key = { namespaceId: task.namespaceId, workflowId: task.workflowId, runId: task.runId };
      // The run's current state: a later task's write carries a higher version and wins anyway.
      const record = await this.executions
        .read(key, (ms) => visibilityRecord(ms.state, attributes, task.taskId))
        .catch(ignoreNotFound);
      if (record) writes.push({ kind: 'upsert', record });
    }
    return writes;
  }
}

// Runs a shard's transfer tasks (dispatches to matching) in task-id order, up to the shard's max read level, and
// deletes them once done. A failed task is retried after a backoff; tasks before it are acked.
import type { Logger } from '@tempora/common';
import type { HistoryTask, PersistenceStores } from '@tempora/persistence';
import type { Shard } from '../shard.js';

const PAGE_SIZE = 200;
const RETRY_DELAY_MS = 1_000;

export class TransferQueue {
  private ackLevel = 0;
  private running = false;
  private rerun = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private waitingForWrites = false;

  constructor(
    private readonly shard: Shard,
    private readonly stores: PersistenceStores,
    private readonly execute: (task: HistoryTask) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  notify(): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = true;
    void this.drain().finally(() => {
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

  /**
   * Reads stop below the writes still in flight. One of them may commit without transfer tasks of its own (so
   * without a notify) while a later write's tasks, already committed, wait above it: read again once they finish.
   */
  private resumeAfterWritesInFlight(): void {
    if (this.waitingForWrites || !this.shard.hasWritesInFlight) return;
    this.waitingForWrites = true;
    void this.shard.waitForWritesInFlight().then(() => {
      this.waitingForWrites = false;
      this.notify();
    });
  }

  private async drain(): Promise<void> {
    while (!this.stopped && !this.shard.closed) {
      const maxReadLevel = this.shard.maxReadLevel();
      if (maxReadLevel <= this.ackLevel) return this.resumeAfterWritesInFlight();
      const page = await this.stores.executions.getHistoryTasks({
        shardId: this.shard.shardId,
        category: 'transfer',
        exclusiveMinTaskId: this.ackLevel,
        inclusiveMaxTaskId: maxReadLevel,
        pageSize: PAGE_SIZE,
      });
      if (!page.items.length) {
        this.ackLevel = maxReadLevel;
        return this.resumeAfterWritesInFlight();
      }
      const results = await Promise.allSettled(page.items.map((task) => this.execute(task)));
      const firstFailure = results.findIndex((r) => r.status === 'rejected');
      const done = firstFailure < 0 ? page.items : page.items.slice(0, firstFailure);
      if (done.length) {
        const last = done[done.length - 1]!.taskId;
        await this.stores.executions.completeHistoryTasks({ shardId: this.shard.shardId, category: 'transfer', inclusiveMaxTaskId: last });
        this.ackLevel = last;
      }
      if (firstFailure >= 0) {
        this.logger.warn({ shardId: this.shard.shardId, err: (results[firstFailure] as PromiseRejectedResult).reason }, 'transfer task failed; retrying');
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.notify(), RETRY_DELAY_MS);
        return;
      }
    }
  }
}

// The loop a shard's immediate task categories (transfer, visibility) share: tasks are read in task-id order up to
// the shard's max read level, handed to the category's page handler, and deleted (acked) up to the last one it
// finished. A failure retries from the first unfinished task after a backoff. The store is read only when a write
// of this category was notified since the last read that saw every committed task (or the last page was cut
// short): the shard's read level also moves with writes of other categories, and reading after each of those found
// nothing (one empty read per transfer task under load).
import type { Logger } from '@tempora/common';
import type { HistoryTask, PersistenceStores } from '@tempora/persistence';
import type { Shard } from '../shard.js';

/** How many leading tasks of the page are done, and why the next one failed (when one did). */
export interface PageResult {
  done: number;
  error?: unknown;
}

export interface ImmediateQueueOptions {
  category: 'transfer' | 'visibility';
  pageSize: number;
  /** Retry delay after a failure, doubled on each further failure up to the maximum, reset by a clean page. */
  minRetryDelayMs: number;
  maxRetryDelayMs: number;
  handlePage: (tasks: HistoryTask[]) => Promise<PageResult>;
}

export class ImmediateQueue {
  private ackLevel = 0;
  private running = false;
  private rerun = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs: number;
  private waitingForWrites = false;
  /** A write with tasks of this category was notified that no read is known to have seen (true at first: a new
   * owner reads what is stored). */
  private unseenWrites = true;

  constructor(
    private readonly shard: Shard,
    private readonly stores: PersistenceStores,
    private readonly options: ImmediateQueueOptions,
    private readonly logger: Logger,
  ) {
    this.retryDelayMs = options.minRetryDelayMs;
  }

  notify(): void {
    if (this.stopped) return;
    this.unseenWrites = true;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = true;
    void this.drain()
      .catch((err: unknown) => this.retryLater(err))
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

  private retryLater(err: unknown): void {
    if (this.stopped) return;
    const { category } = this.options;
    this.logger.warn(
      { shardId: this.shard.shardId, err, retryInMs: this.retryDelayMs },
      `${category} task failed; retrying`,
    );
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.notify(), this.retryDelayMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.options.maxRetryDelayMs);
  }

  /**
   * Reads stop below the writes still in flight. One of them may commit without tasks of this category (so without
   * a notify) while a later write's tasks, already committed, wait above it: read again once they finish.
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
    const { category, pageSize } = this.options;
    let pageCut = false;
    while (!this.stopped && !this.shard.closed && (this.unseenWrites || pageCut)) {
      const maxReadLevel = this.shard.maxReadLevel();
      // With no write in flight every task id handed out is at or below maxReadLevel, so this read sees every task
      // notified so far; with writes in flight, resumeAfterWritesInFlight reads again once they finish.
      if (!this.shard.hasWritesInFlight) this.unseenWrites = false;
      if (maxReadLevel <= this.ackLevel) return this.resumeAfterWritesInFlight();
      const page = await this.stores.executions.getHistoryTasks({
        shardId: this.shard.shardId,
        category,
        exclusiveMinTaskId: this.ackLevel,
        inclusiveMaxTaskId: maxReadLevel,
        pageSize,
      });
      pageCut = page.nextPageToken !== undefined;
      if (!page.items.length) {
        this.ackLevel = maxReadLevel;
        return this.resumeAfterWritesInFlight();
      }
      const result = await this.options.handlePage(page.items);
      if (result.done > 0) {
        const last = page.items[result.done - 1]!.taskId;
        await this.stores.executions.completeHistoryTasks({
          shardId: this.shard.shardId,
          category,
          inclusiveMaxTaskId: last,
        });
        this.ackLevel = last;
      }
      if (result.done < page.items.length) return this.retryLater(result.error);
      // The page held every task up to maxReadLevel, so the next read starts above it.
      if (!pageCut) this.ackLevel = maxReadLevel;
      this.retryDelayMs = this.options.minRetryDelayMs;
    }
  }
}

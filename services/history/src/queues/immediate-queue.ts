// The loop a shard's immediate task categories (transfer, visibility) share: tasks are taken in task-id order up to
// the shard's max read level, handed to the category's page handler, and acked up to the last one it finished. A
// failure retries from the first unfinished task after a backoff.
//
// Where tasks come from: the store, until one read has found every task up to the max read level; from then on the
// tasks this host's own commits hand over (`written`), since only the shard's owner writes its tasks and each
// commit hands over all it wrote. A write whose outcome is unknown (it failed, but may have been applied) sends the
// queue back to the store. Acked tasks are deleted from the store at most once per COMPLETE_INTERVAL_MS: after a
// crash the next owner runs the unacked ones again, as at-least-once delivery allows (each executor is idempotent).
import type { Logger } from '@tempora/common';
import type { HistoryTask, PersistenceStores } from '@tempora/persistence';
import type { Shard } from '../shard.js';

/** How often acked tasks are deleted from the store (a range delete each time). */
const COMPLETE_INTERVAL_MS = 1_000;
/** Handed-over tasks kept at most; past it the queue reads the store again. */
const MAX_WRITTEN_TASKS = 10_000;

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
  /** Tasks above the ack level this host's commits handed over, by task id. */
  private readonly written = new Map<number, HistoryTask>();
  /** Whether every task above the ack level up to the max read level is in `written`. */
  private caughtUp = false;
  /** Moved by readStoreAgain: a pass that began before it must not declare the queue caught up. */
  private storeEpoch = 0;
  private completedLevel = 0;
  private completeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly shard: Shard,
    private readonly stores: PersistenceStores,
    private readonly options: ImmediateQueueOptions,
    private readonly logger: Logger,
  ) {
    this.retryDelayMs = options.minRetryDelayMs;
  }

  /** A commit wrote these tasks of this category (told before their ids are released; a notify follows). */
  record(tasks: readonly HistoryTask[]): void {
    for (const task of tasks) if (task.taskId > this.ackLevel) this.written.set(task.taskId, task);
    if (this.written.size > MAX_WRITTEN_TASKS) this.readStoreAgain();
  }

  /** Tasks may be in the store that were never recorded (a write of unknown outcome): read the store next. */
  readStoreAgain(): void {
    this.caughtUp = false;
    this.storeEpoch++;
    this.written.clear();
  }

  notify(): void {
    if (this.stopped) return;
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
    clearTimeout(this.completeTimer);
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
    const { pageSize } = this.options;
    while (!this.stopped && !this.shard.closed) {
      const maxReadLevel = this.shard.maxReadLevel();
      if (maxReadLevel <= this.ackLevel) return this.resumeAfterWritesInFlight();
      const epoch = this.storeEpoch;
      const tasks = this.caughtUp ? this.writtenUpTo(maxReadLevel) : await this.readStore(maxReadLevel);
      // Fewer than a page: nothing else is left up to maxReadLevel once these are done.
      const complete = tasks.length < pageSize;
      const result = tasks.length ? await this.options.handlePage(tasks) : { done: 0 };
      if (result.done === tasks.length && complete) {
        this.acked(maxReadLevel);
        if (epoch === this.storeEpoch) this.caughtUp = true;
        return this.resumeAfterWritesInFlight();
      }
      if (result.done > 0) this.acked(tasks[result.done - 1]!.taskId);
      if (result.done < tasks.length) return this.retryLater(result.error);
      this.retryDelayMs = this.options.minRetryDelayMs;
    }
  }

  private writtenUpTo(maxReadLevel: number): HistoryTask[] {
    return [...this.written.values()]
      .filter((task) => task.taskId <= maxReadLevel)
      .sort((a, b) => a.taskId - b.taskId)
      .slice(0, this.options.pageSize);
  }

  private async readStore(maxReadLevel: number): Promise<HistoryTask[]> {
    const page = await this.stores.executions.getHistoryTasks({
      shardId: this.shard.shardId,
      category: this.options.category,
      exclusiveMinTaskId: this.ackLevel,
      inclusiveMaxTaskId: maxReadLevel,
      pageSize: this.options.pageSize,
    });
    return page.items;
  }

  private acked(level: number): void {
    this.ackLevel = level;
    for (const taskId of this.written.keys()) if (taskId <= level) this.written.delete(taskId);
    this.completeLater();
  }

  /** Deletes the acked tasks from the store, at most once per interval. */
  private completeLater(): void {
    if (this.completeTimer || this.stopped) return;
    this.completeTimer = setTimeout(() => {
      this.completeTimer = undefined;
      const level = this.ackLevel;
      if (level <= this.completedLevel || this.stopped || this.shard.closed) return;
      this.stores.executions
        .completeHistoryTasks({
          shardId: this.shard.shardId,
          category: this.options.category,
          inclusiveMaxTaskId: level,
        })
        .then(
          () => {
            this.completedLevel = Math.max(this.completedLevel, level);
          },
          (err: unknown) => {
            this.logger.warn(
              { shardId: this.shard.shardId, err },
              `deleting acked ${this.options.category} tasks failed`,
            );
            this.completeLater();
          },
        );
    }, COMPLETE_INTERVAL_MS);
    this.completeTimer.unref();
  }
}

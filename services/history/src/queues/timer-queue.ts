// Fires a shard's timer tasks (or, in a second instance, its retention tasks) at their time. Each pass reads the due timers, runs them, waits for writes that were
// in flight during the read (they may hold earlier timers) and runs those too, then deletes everything up to the
// last key it ran. Between passes it sleeps until the earliest known timer.
import type { Logger } from '@tempora/common';
import type { HistoryTask, PersistenceStores, ScheduledTaskCategory } from '@tempora/persistence';
import type { Shard } from '../shard.js';

const PAGE_SIZE = 200;
const RETRY_DELAY_MS = 1_000;
/** Re-scan at least this often, so a timer is never missed for long whatever happens to notifications. */
const MAX_SLEEP_MS = 10_000;

export class TimerQueue {
  private running = false;
  private rerun = false;
  private stopped = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt = Infinity;

  constructor(
    private readonly shard: Shard,
    private readonly stores: PersistenceStores,
    private readonly execute: (task: HistoryTask) => Promise<void>,
    private readonly logger: Logger,
    private readonly category: ScheduledTaskCategory = 'timer',
  ) {}

  /** A timer firing at `fireTime` was written. */
  notify(fireTime: number): void {
    this.scheduleWake(fireTime);
  }

  start(): void {
    this.scheduleWake(Date.now());
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.wakeTimer);
  }

  private scheduleWake(at: number): void {
    if (this.stopped || at >= this.wakeAt) return;
    clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeAt = Infinity;
        this.run();
      },
      Math.max(0, Math.min(at - Date.now(), MAX_SLEEP_MS)),
    );
  }

  private run(): void {
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = true;
    void this.pass()
      .then(
        (nextFireTime) => this.scheduleWake(Math.min(nextFireTime, Date.now() + MAX_SLEEP_MS)),
        (err: unknown) => {
          this.logger.warn({ shardId: this.shard.shardId, err }, `${this.category} task failed; retrying`);
          this.scheduleWake(Date.now() + RETRY_DELAY_MS);
        },
      )
      .finally(() => {
        this.running = false;
        if (this.rerun && !this.stopped) {
          this.rerun = false;
          this.run();
        }
      });
  }

  /** Runs every due timer; returns the fire time of the earliest one not yet due. */
  private async pass(): Promise<number> {
    for (;;) {
      if (this.stopped || this.shard.closed) return Infinity;
      const now = Date.now();
      const due = await this.readDue(now);
      if (!due.length) return this.earliestFireTime();
      const ran = new Set<number>();
      await this.runAll(due, ran);
      await this.shard.waitForWritesInFlight();
      const last = due[due.length - 1]!;
      const lateArrivals = (await this.readDue(now)).filter((t) => !ran.has(t.taskId) && compareKeys(t, last) <= 0);
      await this.runAll(lateArrivals, ran);
      await this.stores.executions.completeHistoryTasks({
        shardId: this.shard.shardId,
        category: this.category,
        inclusiveMaxFireTime: last.fireTime,
        inclusiveMaxTaskId: last.taskId,
      });
      // A short page held every timer due at `now`: what is left is due later.
      if (due.length < PAGE_SIZE) return this.earliestFireTime();
    }
  }

  private async runAll(tasks: HistoryTask[], ran: Set<number>): Promise<void> {
    const results = await Promise.allSettled(tasks.map((task) => this.execute(task)));
    const failure = results.find((r) => r.status === 'rejected');
    if (failure) throw (failure as PromiseRejectedResult).reason;
    for (const task of tasks) ran.add(task.taskId);
  }

  private async readDue(now: number): Promise<HistoryTask[]> {
    const page = await this.stores.executions.getHistoryTasks({
      shardId: this.shard.shardId,
      category: this.category,
      minFireTime: 0,
      exclusiveMinTaskId: -1,
      maxFireTime: now + 1,
      pageSize: PAGE_SIZE,
    });
    return page.items;
  }

  private async earliestFireTime(): Promise<number> {
    const page = await this.stores.executions.getHistoryTasks({
      shardId: this.shard.shardId,
      category: this.category,
      minFireTime: 0,
      exclusiveMinTaskId: -1,
      maxFireTime: Number.MAX_SAFE_INTEGER,
      pageSize: 1,
    });
    return page.items[0]?.fireTime ?? Infinity;
  }
}

function compareKeys(a: HistoryTask, b: HistoryTask): number {
  return a.fireTime - b.fireTime || a.taskId - b.taskId;
}

// Fires a shard's timer tasks (or, in a second instance, its retention tasks) at their time, from memory where it can
// (upstream's scheduled queue reader keeps a look-ahead the same way).
//
// One store read, from the ack level up to now + lookAheadMs and at most a page, makes the queue complete up to a
// horizon: the end of the look-ahead, or the last key of a full page. From then on the timers this host's commits
// hand over (`record`, told before the write's task ids are released) that fall at or below the horizon are kept in
// memory in (fireTime, taskId) order and fired from there; later ones stay in the store for a later read. Only the
// shard's owner writes its timers, so nothing else can appear below the horizon. The store is read again when time
// reaches the horizon, when memory overflows (the horizon drops below the timers let go), after a write of unknown
// outcome (`readStoreAgain`), by the new queue of a (re)acquired shard, and once per RESCAN_MS from the ack level.
//
// Acked timers are range-deleted in the background, at most once per ackIntervalMs, up to a key below which every
// timer has run: each pass moves the shard's read level of the category to the time it fires up to, and the shard
// gives every later-allocated timer a fire time above that level (a timer due in the past fires at level + 1 ms), so
// once the writes in flight at that move have finished, no timer can appear at or below it unseen. A crash before the
// delete runs the acked timers again (at-least-once; the executors re-check mutable state).
import type { Logger } from '@tempora/common';
import type { HistoryTask, PersistenceStores, ScheduledTaskCategory } from '@tempora/persistence';
import type { Shard } from '../shard.js';

const RETRY_DELAY_MS = 1_000;
/** Sleep at most this long: a wake-up lost for any reason delays a timer in memory by no more than this. */
const MAX_SLEEP_MS = 10_000;
/** How often the whole range above the ack level is read again (the safety re-scan). */
const RESCAN_MS = 60_000;

export interface TimerQueueLimits {
  /** Timers one read returns at most; also the most run at once. */
  pageSize: number;
  /** Timers kept in memory at most; past it the latest are let go and the horizon drops below them. */
  maxInMemory: number;
  /** How far past now one read looks. */
  lookAheadMs: number;
  /**
   * How often acked timers are deleted from the store (a range delete each time). Longer than the immediate queues'
   * second: a crash re-runs at most this much of acked timers, each a no-op check of mutable state.
   */
  ackIntervalMs: number;
}

export const DEFAULT_TIMER_QUEUE_LIMITS: TimerQueueLimits = {
  pageSize: 500,
  maxInMemory: 5_000,
  lookAheadMs: 300_000,
  ackIntervalMs: 5_000,
};

/** A position in the (fireTime, taskId) order. */
interface Key {
  fireTime: number;
  taskId: number;
}

const compareKeys = (a: Key, b: Key) => a.fireTime - b.fireTime || a.taskId - b.taskId;
const minKey = (a: Key, b: Key) => (compareKeys(a, b) <= 0 ? a : b);
const keyBelow = (key: Key): Key => ({ fireTime: key.fireTime, taskId: key.taskId - 1 });
const endOf = (fireTime: number): Key => ({ fireTime, taskId: Number.MAX_SAFE_INTEGER });

export class TimerQueue {
  private running = false;
  private rerun = false;
  private stopped = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt = Infinity;
  /** Known timers not yet run, in key order (`pendingIds` holds their task ids). */
  private readonly pending: HistoryTask[] = [];
  private readonly pendingIds = new Set<number>();
  /** Timers running now, task id -> fire time. */
  private readonly inProgress = new Map<number, number>();
  /** Timers run above the ack level, task id -> fire time: a read or hand-over repeating one drops it. */
  private readonly done = new Map<number, number>();
  /** Every timer with a key up to here is pending, in progress or done; undefined: read the store first. */
  private horizon: Key | undefined;
  /** A read is in flight: hand-overs are all kept, since its horizon is not known yet. */
  private reading = false;
  /** The lowest key let go for memory during the read in flight: its horizon stays below it. */
  private droppedWhileReading: Key | undefined;
  /** Moved by readStoreAgain: a read that began before it does not make the queue complete. */
  private epoch = 0;
  private lastScan = -Infinity;
  /** The fire time the shard's read level was last moved to. */
  private readLevel = 0;
  /** Every timer with a key up to here has run: reads start above it. */
  private ackLevel: Key = { fireTime: 0, taskId: -1 };
  private deletedLevel: Key = this.ackLevel;
  private ackTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly shard: Shard,
    private readonly stores: PersistenceStores,
    private readonly execute: (task: HistoryTask) => Promise<void>,
    private readonly logger: Logger,
    private readonly category: ScheduledTaskCategory = 'timer',
    private readonly limits: TimerQueueLimits = DEFAULT_TIMER_QUEUE_LIMITS,
  ) {}

  /** A commit wrote these timers of this category (told before their ids are released; a notify follows). */
  record(tasks: readonly HistoryTask[]): void {
    for (const task of tasks) {
      if (this.reading || (this.horizon && compareKeys(task, this.horizon) <= 0)) this.add(task);
    }
  }

  /** Timers may be in the store that were never recorded (a write of unknown outcome): read the store next. */
  readStoreAgain(): void {
    this.horizon = undefined;
    this.epoch++;
  }

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
    clearTimeout(this.ackTimer);
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
        (nextWake) => this.scheduleWake(Math.min(nextWake, Date.now() + MAX_SLEEP_MS)),
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

  /** Runs every due timer; returns when to run again. */
  private async pass(): Promise<number> {
    for (;;) {
      if (this.stopped || this.shard.closed) return Infinity;
      const now = Date.now();
      if (!this.completeUpTo(now) || now >= this.lastScan + RESCAN_MS) await this.read(now);
      this.shard.advanceScheduledReadLevel(this.category, now);
      this.readLevel = Math.max(this.readLevel, now);
      const due = this.takeDue(now);
      await this.runAll(due);
      this.ackLater();
      // More due timers than one batch, a full page read, or a read raced by a write of unknown outcome.
      if (due.length === this.limits.pageSize || !this.completeUpTo(now)) continue;
      return Math.min(this.pending[0]?.fireTime ?? Infinity, this.horizon!.fireTime, this.lastScan + RESCAN_MS);
    }
  }

  /** Whether every timer due at `now` is known. */
  private completeUpTo(now: number): boolean {
    return this.horizon !== undefined && compareKeys(this.horizon, endOf(now)) >= 0;
  }

  /** Reads on from the horizon, or from the ack level for a re-scan (or when the horizon is unknown). */
  private async read(now: number): Promise<void> {
    const rescan = !this.horizon || now >= this.lastScan + RESCAN_MS;
    const from = rescan ? this.ackLevel : this.horizon!;
    const epoch = this.epoch;
    const until = now + this.limits.lookAheadMs;
    this.reading = true;
    this.droppedWhileReading = undefined;
    try {
      const page = await this.stores.executions.getHistoryTasks({
        shardId: this.shard.shardId,
        category: this.category,
        minFireTime: from.fireTime,
        exclusiveMinTaskId: from.taskId,
        maxFireTime: until,
        pageSize: this.limits.pageSize,
      });
      for (const task of page.items) this.add(task);
      // maxFireTime is exclusive.
      let horizon = page.items.length < this.limits.pageSize ? endOf(until - 1) : page.items[page.items.length - 1]!;
      if (this.droppedWhileReading) horizon = minKey(horizon, keyBelow(this.droppedWhileReading));
      if (epoch !== this.epoch) return;
      this.horizon = { fireTime: horizon.fireTime, taskId: horizon.taskId };
      if (rescan) this.lastScan = now;
    } finally {
      this.reading = false;
    }
  }

  private add(task: HistoryTask): void {
    const { taskId } = task;
    if (this.pendingIds.has(taskId) || this.inProgress.has(taskId) || this.done.has(taskId)) return;
    if (compareKeys(task, this.ackLevel) <= 0) return;
    // Binary search for the first pending timer after it; timers mostly arrive near the end.
    let lo = 0;
    let hi = this.pending.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.pending[mid]!, task) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.pending.splice(lo, 0, task);
    this.pendingIds.add(taskId);
    if (this.pending.length > this.limits.maxInMemory) this.letGoOfLatest();
  }

  /** Overflow: the latest timer stays in the store only, and the queue is complete only below it. */
  private letGoOfLatest(): void {
    const dropped = this.pending.pop()!;
    this.pendingIds.delete(dropped.taskId);
    if (this.horizon) this.horizon = minKey(this.horizon, keyBelow(dropped));
    if (this.reading) {
      this.droppedWhileReading = this.droppedWhileReading ? minKey(this.droppedWhileReading, dropped) : dropped;
    }
  }

  /** The due timers, at most a page, moved from pending to in progress. */
  private takeDue(now: number): HistoryTask[] {
    let count = 0;
    while (count < this.pending.length && count < this.limits.pageSize && this.pending[count]!.fireTime <= now) count++;
    const due = this.pending.splice(0, count);
    for (const task of due) {
      this.pendingIds.delete(task.taskId);
      this.inProgress.set(task.taskId, task.fireTime);
    }
    return due;
  }

  /** Runs the timers in parallel; a failed one goes back to pending and the pass retries after a delay. */
  private async runAll(tasks: HistoryTask[]): Promise<void> {
    const results = await Promise.allSettled(tasks.map((task) => this.execute(task)));
    let failure: PromiseRejectedResult | undefined;
    tasks.forEach((task, i) => {
      const result = results[i]!;
      this.inProgress.delete(task.taskId);
      if (result.status === 'fulfilled') {
        this.done.set(task.taskId, task.fireTime);
      } else {
        failure ??= result;
        this.add(task);
      }
    });
    if (failure) throw failure.reason;
  }

  private ackLater(): void {
    if (this.ackTimer || this.stopped) return;
    this.ackTimer = setTimeout(() => {
      void this.ack()
        .catch((err: unknown) =>
          this.logger.warn({ shardId: this.shard.shardId, err }, `deleting acked ${this.category} tasks failed`),
        )
        .finally(() => {
          this.ackTimer = undefined;
          // What is still unacked gets its turn after the next interval.
          if (compareKeys(this.ackLevel, this.deletedLevel) > 0 || this.done.size) this.ackLater();
        });
    }, this.limits.ackIntervalMs);
    this.ackTimer.unref();
  }

  /** Moves the ack level up to the key below which every timer has run, and range-deletes up to it. */
  private async ack(): Promise<void> {
    const readLevel = this.readLevel;
    const epoch = this.epoch;
    // Writes in flight when the read level moved may hold timers at or below it: they are recorded once finished.
    await this.shard.waitForWritesInFlight();
    if (this.stopped || this.shard.closed || !this.horizon || epoch !== this.epoch) return;
    let level = minKey(endOf(readLevel), this.horizon);
    if (this.pending[0]) level = minKey(level, keyBelow(this.pending[0]));
    for (const [taskId, fireTime] of this.inProgress) level = minKey(level, keyBelow({ fireTime, taskId }));
    if (compareKeys(level, this.ackLevel) > 0) {
      this.ackLevel = level;
      for (const [taskId, fireTime] of this.done) {
        if (compareKeys({ fireTime, taskId }, level) <= 0) this.done.delete(taskId);
      }
    }
    const target = this.ackLevel;
    if (compareKeys(target, this.deletedLevel) <= 0) return;
    await this.stores.executions.completeHistoryTasks({
      shardId: this.shard.shardId,
      category: this.category,
      inclusiveMaxFireTime: target.fireTime,
      inclusiveMaxTaskId: target.taskId,
    });
    this.deletedLevel = target;
  }
}

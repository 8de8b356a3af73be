// The durable buffer of a normal task queue. Tasks no poller took at once are written to the TaskQueueStore under
// this host's lease, read back in task-id order (a page at a time, so a large backlog does not fill memory), and
// acknowledged once handed out; the ack level is persisted in batches, so the backlog survives a crash or restart
// with at most the unacknowledged tasks delivered again (history recognises those as already started).
import type { Logger } from '@tempora/common';
import {
  TaskQueueLeaseLostError,
  type TaskQueueKey,
  type TaskQueueRecord,
  type TaskQueueStore,
  type TaskQueueTask,
} from '@tempora/persistence';
import { encodeMessage } from '@tempora/proto/wire';
import type { BufferStatus, TaskBuffer, TaskBufferEvents } from './task-buffer.js';
import type { AddTaskRequest, QueuedTask, TaskCodec } from './task.js';

/** Task ids are rangeId * TASKS_PER_RANGE + seq: a lease owns one block of ids and takes the next when exhausted. */
export const TASKS_PER_RANGE = 2 ** 20;
/** At most this many backlog tasks are held in memory; the rest stay in the store until there is room. */
const MEMORY_LIMIT = 1_000;
/** The store is read again once fewer than this many tasks are left in memory. */
const REFILL_BELOW = MEMORY_LIMIT / 2;
/** Acknowledgements are persisted at most this often (and at close): one write covers every task handed out. */
const ACK_FLUSH_DELAY_MS = 1_000;
const READ_RETRY_DELAY_MS = 1_000;

/** Takes the queue's lease: bumping range_id fences off the previous owner's writes. */
export async function leaseTaskQueue(store: TaskQueueStore, key: TaskQueueKey): Promise<TaskQueueRecord> {
  const stored = await store.getOrCreateTaskQueue(key);
  const leased: TaskQueueRecord = { ...stored, rangeId: stored.rangeId + 1 };
  await store.updateTaskQueue(leased, stored.rangeId);
  return leased;
}

export interface BacklogOptions<T> {
  store: TaskQueueStore;
  /** The record returned by leaseTaskQueue. */
  lease: TaskQueueRecord;
  codec: TaskCodec<T>;
  logger: Logger;
  events: TaskBufferEvents;
  /** Only tests change this, to reach a range renewal quickly. */
  tasksPerRange?: number;
}

interface PendingWrite<T extends AddTaskRequest> {
  task: QueuedTask<T>;
  resolve(): void;
  reject(err: unknown): void;
}

export class TaskQueueBacklog<T extends AddTaskRequest> implements TaskBuffer<T> {
  private readonly store: TaskQueueStore;
  private readonly codec: TaskCodec<T>;
  private readonly logger: Logger;
  private readonly events: TaskBufferEvents;
  private readonly tasksPerRange: number;
  /** The record as last written: its rangeId is our lease, its ackLevel the persisted one. */
  private record: TaskQueueRecord;
  private nextTaskId: number;
  /** Every task with an id <= readLevel is in memory or acknowledged. */
  private readLevel: number;
  /** No task above this id is in the store. Before this lease's first write, the top of the previous ranges. */
  private maxWrittenTaskId: number;
  /**
   * Tasks this lease wrote that are not read into memory yet. Ids are not dense (each lease starts a new block), so
   * the backlog is counted, not computed from ids; tasks left by earlier leases count once they are read.
   */
  private unread = 0;
  /** Tasks to dispatch, in id order except for requeued ones at the front. */
  private buffer: QueuedTask<T>[] = [];
  /** Ids of tasks in memory (buffered or handed out) not acknowledged yet; the ack level stays below them. */
  private readonly unacked = new Set<number>();
  private pendingWrites: PendingWrite<T>[] = [];
  private writeScheduled = false;
  /** Store mutations run one at a time, so range renewals, task writes and ack updates never race on range_id. */
  private storeWrites: Promise<unknown> = Promise.resolve();
  private reading = false;
  private ackFlushTimer: NodeJS.Timeout | undefined;
  private readRetryTimer: NodeJS.Timeout | undefined;
  private lostLease: TaskQueueLeaseLostError | undefined;
  private closed = false;

  constructor(options: BacklogOptions<T>) {
    this.store = options.store;
    this.codec = options.codec;
    this.logger = options.logger;
    this.events = options.events;
    this.tasksPerRange = options.tasksPerRange ?? TASKS_PER_RANGE;
    this.record = options.lease;
    this.nextTaskId = options.lease.rangeId * this.tasksPerRange;
    this.readLevel = options.lease.ackLevel;
    this.maxWrittenTaskId = this.nextTaskId - 1;
  }

  approximateBacklog(): number {
    return this.unread + this.unacked.size + this.pendingWrites.length;
  }

  status(): BufferStatus {
    const startId = this.record.rangeId * this.tasksPerRange;
    return {
      backlogCount: this.approximateBacklog(),
      readLevel: this.readLevel,
      ackLevel: this.ackLevel(),
      taskIdBlock: { startId, endId: startId + this.tasksPerRange - 1 },
      headCreatedAt: this.buffer[0]?.createdAt,
    };
  }

  private get key(): TaskQueueKey {
    return this.record.key;
  }

  /** Writes are batched: every add() arriving while a write is in flight goes into the next createTasks call. */
  add(task: QueuedTask<T>): Promise<void> {
    if (this.lostLease) return Promise.reject(this.lostLease);
    if (this.closed) return Promise.reject(new Error(`backlog of task queue ${this.key.name} is closed`));
    return new Promise<void>((resolve, reject) => {
      this.pendingWrites.push({ task, resolve, reject });
      if (this.writeScheduled) return;
      this.writeScheduled = true;
      void this.exclusive(() => this.writePending());
    });
  }

  take(): QueuedTask<T> | undefined {
    const task = this.buffer.shift();
    this.refill();
    return task;
  }

  ack(task: QueuedTask<T>): void {
    if (task.taskId === undefined || !this.unacked.delete(task.taskId)) return;
    this.scheduleAckFlush();
  }

  /** A task that was never written (a sync match) is written now, so a failed dispatch does not lose it. */
  requeue(task: QueuedTask<T>): void {
    if (task.taskId !== undefined) {
      this.buffer.unshift(task);
      return;
    }
    this.add(task).then(
      () => this.events.tasksAvailable(),
      (err: unknown) =>
        this.logger.warn({ err, taskQueue: this.key.name }, 'dropping a task that could not be requeued'),
    );
  }

  /** Waits for queued writes, persists the ack level (unless the lease is lost) and releases memory. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.ackFlushTimer);
    clearTimeout(this.readRetryTimer);
    await this.exclusive(() => this.persistAckLevel());
    this.buffer = [];
    this.unacked.clear();
  }

  private exclusive<R>(operation: () => Promise<R>): Promise<R> {
    const result = this.storeWrites.then(operation);
    this.storeWrites = result.catch(() => undefined);
    return result;
  }

  private async writePending(): Promise<void> {
    this.writeScheduled = false;
    const batch = this.pendingWrites;
    this.pendingWrites = [];
    if (this.lostLease) {
      for (const write of batch) write.reject(this.lostLease);
      return;
    }
    try {
      const rows: TaskQueueTask[] = [];
      for (const { task } of batch) {
        if (this.nextTaskId >= (this.record.rangeId + 1) * this.tasksPerRange) await this.renewRange();
        const data = encodeMessage(this.codec, task.request);
        rows.push({ taskId: this.nextTaskId++, expiryTime: task.expiresAt, data });
      }
      await this.store.createTasks(this.key, this.record.rangeId, rows);
      // When everything written before is already in memory, keep the new tasks there too; otherwise the reader
      // gets to them in id order.
      const caughtUp = this.readLevel === this.maxWrittenTaskId && this.buffer.length + rows.length <= MEMORY_LIMIT;
      this.maxWrittenTaskId = rows[rows.length - 1]!.taskId;
      if (caughtUp) {
        batch.forEach(({ task }, i) => this.keep({ ...task, taskId: rows[i]!.taskId }));
        this.readLevel = this.maxWrittenTaskId;
      } else {
        this.unread += rows.length;
      }
      for (const write of batch) write.resolve();
    } catch (err) {
      for (const write of batch) write.reject(err);
      this.handleStoreError(err, 'writing tasks');
    }
  }

  private async renewRange(): Promise<void> {
    const renewed: TaskQueueRecord = { ...this.record, rangeId: this.record.rangeId + 1 };
    await this.store.updateTaskQueue(renewed, this.record.rangeId);
    this.record = renewed;
    this.nextTaskId = renewed.rangeId * this.tasksPerRange;
  }

  private keep(task: QueuedTask<T>): void {
    this.buffer.push(task);
    this.unacked.add(task.taskId!);
  }

  private refill(): void {
    if (this.reading || this.closed || this.lostLease) return;
    if (this.buffer.length >= REFILL_BELOW || this.readLevel >= this.maxWrittenTaskId) return;
    this.reading = true;
    void this.readPage();
  }

  private async readPage(): Promise<void> {
    const upTo = this.maxWrittenTaskId;
    const pageSize = MEMORY_LIMIT - this.buffer.length;
    let rows: TaskQueueTask[];
    try {
      rows = await this.store.getTasks(this.key, this.readLevel, upTo, pageSize);
    } catch (err) {
      this.logger.error({ err, taskQueue: this.key.name }, 'reading the task queue backlog failed; retrying');
      this.readRetryTimer = setTimeout(() => this.refill(), READ_RETRY_DELAY_MS).unref();
      return;
    } finally {
      this.reading = false;
    }
    if (this.closed || this.lostLease) return;
    for (const row of rows) {
      const task = this.decode(row);
      if (task) this.keep(task);
    }
    this.readLevel = rows.length < pageSize ? upTo : rows[rows.length - 1]!.taskId;
    this.unread = this.readLevel >= this.maxWrittenTaskId ? 0 : Math.max(0, this.unread - rows.length);
    this.refill();
    this.events.tasksAvailable();
  }

  /** A row that does not decode is skipped; the ack level then passes it and it is deleted. */
  private decode(row: TaskQueueTask): QueuedTask<T> | undefined {
    try {
      return { request: this.codec.decode(row.data), expiresAt: row.expiryTime, taskId: row.taskId };
    } catch (err) {
      this.logger.error({ err, taskQueue: this.key.name, taskId: row.taskId }, 'skipping an undecodable backlog task');
      return undefined;
    }
  }

  private scheduleAckFlush(): void {
    if (this.ackFlushTimer || this.closed || this.lostLease) return;
    this.ackFlushTimer = setTimeout(() => {
      this.ackFlushTimer = undefined;
      void this.exclusive(() => this.persistAckLevel());
    }, ACK_FLUSH_DELAY_MS).unref();
  }

  /** Everything up to the smallest unacknowledged id in memory (or up to readLevel) has been handed out. */
  private ackLevel(): number {
    let level = this.readLevel;
    for (const taskId of this.unacked) if (taskId <= level) level = taskId - 1;
    return level;
  }

  private async persistAckLevel(): Promise<void> {
    if (this.lostLease) return;
    const ackLevel = this.ackLevel();
    if (ackLevel <= this.record.ackLevel) return;
    const updated: TaskQueueRecord = { ...this.record, ackLevel };
    try {
      await this.store.updateTaskQueue(updated, this.record.rangeId);
      this.record = updated;
      await this.store.completeTasks(this.key, ackLevel);
    } catch (err) {
      this.handleStoreError(err, 'persisting the ack level');
    }
  }

  private handleStoreError(err: unknown, action: string): void {
    if (!(err instanceof TaskQueueLeaseLostError)) {
      this.logger.error({ err, taskQueue: this.key.name }, `task queue backlog: ${action} failed`);
      return;
    }
    if (this.lostLease) return;
    this.lostLease = err;
    clearTimeout(this.ackFlushTimer);
    clearTimeout(this.readRetryTimer);
    for (const write of this.pendingWrites.splice(0)) write.reject(err);
    this.buffer = [];
    this.unacked.clear();
    this.events.leaseLost(err);
  }
}

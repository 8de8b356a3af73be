// One task queue (namespace, name, task type) on this host. A task added while a poller waits goes straight to that
// poller (sync match); otherwise it goes to the queue's buffer and waiting pollers are served from there in order.
import type { Logger } from '@tempora/common';
import { TaskQueueLeaseLostError, type TaskQueueKey } from '@tempora/persistence';
import { unavailable } from '@tempora/rpc';
import { MatchingMetrics } from './engine-metrics.js';
import type { BufferStatus, TaskBuffer, TaskBufferEvents } from './task-buffer.js';
import { isExpired, newTask, type AddTaskRequest, type QueuedTask } from './task.js';

export interface TaskQueueManagerOptions<T extends AddTaskRequest> {
  key: TaskQueueKey;
  createBuffer(events: TaskBufferEvents): TaskBuffer<T>;
  /** Called once when another host took the queue's lease; this manager is closed by then. */
  onLeaseLost(err: TaskQueueLeaseLostError): void;
  logger: Logger;
  /** Whether this is a sticky queue (the partition tag). */
  sticky?: boolean;
  metrics?: MatchingMetrics;
}

interface Waiter<T extends AddTaskRequest> {
  /** Ends the poll: with a task, or with undefined for "no task". */
  deliver(task: QueuedTask<T> | undefined): void;
}

export class TaskQueueManager<T extends AddTaskRequest> {
  readonly key: TaskQueueKey;
  private readonly buffer: TaskBuffer<T>;
  private readonly options: TaskQueueManagerOptions<T>;
  /** Polls waiting for a task, oldest first. */
  private readonly waiters: Waiter<T>[] = [];
  /** Query tasks waiting for a poller, oldest first; served before the backlog. */
  private readonly queries: QueuedTask<T>[] = [];
  /** Tasks handed to pollers whose outcome (complete or requeue) is not known yet. */
  private inFlight = 0;
  private lastActivity = Date.now();
  private closed = false;
  private readonly metrics: MatchingMetrics;
  private readonly sticky: boolean;

  constructor(options: TaskQueueManagerOptions<T>) {
    this.key = options.key;
    this.options = options;
    this.metrics = options.metrics ?? new MatchingMetrics();
    this.sticky = options.sticky ?? false;
    this.buffer = options.createBuffer({
      tasksAvailable: () => this.dispatch(),
      leaseLost: (err) => this.leaseLost(err),
    });
  }

  /** Throws UNAVAILABLE when the queue was unloaded (lease lost, shutdown): the caller retries. */
  async addTask(request: T): Promise<void> {
    if (this.closed) throw unavailable(`Task queue ${this.key.name} is not loaded on this matching host.`);
    this.lastActivity = Date.now();
    const task = newTask(request, this.lastActivity);
    const waiter = this.waiters.shift();
    if (waiter) {
      // History acks its transfer task when this returns, so return only once the start is recorded: a crash in
      // between must leave the task with history (re-dispatched) rather than nowhere.
      const outcome = new Promise<'started' | 'retry'>((resolve) => (task.settle = resolve));
      this.handOut(waiter, task);
      if ((await outcome) === 'started') return;
      if (this.closed) throw unavailable(`Task queue ${this.key.name} is not loaded on this matching host.`);
    }
    try {
      await this.buffer.add(task);
    } catch (err) {
      if (err instanceof TaskQueueLeaseLostError) {
        throw unavailable(`Task queue ${this.key.name} moved to another matching host: ${err.message}`);
      }
      throw err;
    }
    this.dispatch();
    if (this.metrics.enabled) this.metrics.backlogCount(this.key, this.sticky, this.buffer.approximateBacklog());
  }

  /** Resolves with the next task, or with undefined at `until` (epoch ms), on abort, or when the queue closes. */
  poll(until: number, signal: AbortSignal): Promise<QueuedTask<T> | undefined> {
    if (!this.metrics.enabled) return this.waitForTask(until, signal);
    return this.waitForTask(until, signal).then((task) => {
      if (!task) this.metrics.polled(this.key, this.sticky, 'timeout');
      else if (!task.query)
        this.metrics.polled(this.key, this.sticky, task.settle ? 'sync' : 'backlog', task.createdAt);
      this.metrics.backlogCount(this.key, this.sticky, this.buffer.approximateBacklog());
      return task;
    });
  }

  private waitForTask(until: number, signal: AbortSignal): Promise<QueuedTask<T> | undefined> {
    this.lastActivity = Date.now();
    if (this.closed || signal.aborted) return Promise.resolve(undefined);
    const task = this.takeTask();
    if (task) {
      this.inFlight++;
      return Promise.resolve(task);
    }
    return new Promise((resolve) => {
      const giveUp = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        waiter.deliver(undefined);
      };
      const timer = setTimeout(giveUp, until - Date.now());
      signal.addEventListener('abort', giveUp, { once: true });
      const waiter: Waiter<T> = {
        deliver: (delivered) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', giveUp);
          resolve(delivered);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /**
   * Offers a query task to this queue's pollers only (it is never persisted). Resolves true once a poller took it,
   * false when the signal aborted first or the queue closed.
   */
  offerQuery(task: QueuedTask<T>, signal: AbortSignal): Promise<boolean> {
    if (this.closed || signal.aborted) return Promise.resolve(false);
    this.lastActivity = Date.now();
    return new Promise((resolve) => {
      const withdraw = () => {
        const index = this.queries.indexOf(task);
        if (index >= 0) this.queries.splice(index, 1);
        resolve(false);
      };
      signal.addEventListener('abort', withdraw, { once: true });
      task.settle = (outcome) => {
        signal.removeEventListener('abort', withdraw);
        resolve(outcome === 'started');
      };
      this.queries.push(task);
      this.dispatch();
    });
  }

  approximateBacklog(): number {
    return this.buffer.approximateBacklog();
  }

  status(): BufferStatus {
    return this.buffer.status();
  }

  hasWaitingPoller(): boolean {
    return this.waiters.length > 0;
  }

  /** The task was started, or history said it is stale: it is done. */
  complete(task: QueuedTask<T>): void {
    this.inFlight--;
    if (task.settle) task.settle('started');
    else this.buffer.ack(task);
  }

  /** Recording the start failed for a reason that may pass: the task is dispatched again. */
  requeue(task: QueuedTask<T>): void {
    this.inFlight--;
    if (task.settle) {
      // A sync match: the waiting AddTask puts it in the backlog itself and reports a failed write to history.
      const settle = task.settle;
      task.settle = undefined;
      settle('retry');
      return;
    }
    this.buffer.requeue(task);
    this.dispatch();
  }

  /** Nothing waits on the queue, nothing is in flight, and nothing touched it for idleMs. */
  isIdle(now: number, idleMs: number): boolean {
    return this.waiters.length === 0 && this.inFlight === 0 && now - this.lastActivity >= idleMs;
  }

  /** Ends every waiting poll with no task and closes the buffer. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.releaseWaiters();
    await this.buffer.close();
  }

  private dispatch(): void {
    while (this.waiters.length > 0) {
      const task = this.takeTask();
      if (!task) return;
      this.handOut(this.waiters.shift()!, task);
    }
  }

  private handOut(waiter: Waiter<T>, task: QueuedTask<T>): void {
    this.inFlight++;
    waiter.deliver(task);
  }

  private takeTask(): QueuedTask<T> | undefined {
    const query = this.queries.shift();
    if (query) return query;
    const now = Date.now();
    for (let task = this.buffer.take(); task; task = this.buffer.take()) {
      if (!isExpired(task, now)) return task;
      this.buffer.ack(task);
    }
    return undefined;
  }

  private leaseLost(err: TaskQueueLeaseLostError): void {
    if (this.closed) return;
    this.closed = true;
    this.options.logger.warn({ taskQueue: this.key.name, err }, 'task queue lease lost; unloading');
    this.releaseWaiters();
    this.options.onLeaseLost(err);
  }

  private releaseWaiters(): void {
    for (const waiter of this.waiters.splice(0)) waiter.deliver(undefined);
    for (const query of this.queries.splice(0)) query.settle?.('retry');
  }
}

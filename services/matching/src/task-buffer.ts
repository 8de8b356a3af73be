// Where a task queue keeps the tasks no poller took at once. Normal queues persist them (backlog.ts); sticky queues
// keep them in memory only (memory-task-buffer.ts).
import type { TaskQueueLeaseLostError } from '@tempora/persistence';
import type { AddTaskRequest, QueuedTask } from './task.js';

export interface TaskBuffer<T extends AddTaskRequest> {
  /** Queues the task for dispatch; resolves once it is safely held (written, for a persisted buffer). */
  add(task: QueuedTask<T>): Promise<void>;
  /** The next task to dispatch, if one is in memory now. */
  take(): QueuedTask<T> | undefined;
  /** Tasks held and not acknowledged (in memory, being written, or in the store), approximately. */
  approximateBacklog(): number;
  /** Where the buffer stands, for DescribeTaskQueue. */
  status(): BufferStatus;
  /** The task was handed out for good (started, stale or expired): it is never dispatched again. */
  ack(task: QueuedTask<T>): void;
  /** Handing the task out failed; it goes back to the front of the queue. */
  requeue(task: QueuedTask<T>): void;
  /** Persists what is pending and releases memory. */
  close(): Promise<void>;
}

export interface BufferStatus {
  /** approximateBacklog() */
  backlogCount: number;
  /** Every task with an id up to readLevel was read into memory; zero for an unpersisted buffer. */
  readLevel: number;
  /** Every task with an id up to ackLevel was handed out for good. */
  ackLevel: number;
  /** The ids the current lease gives new tasks (both ends included); absent for an unpersisted buffer. */
  taskIdBlock?: { startId: number; endId: number };
  /** Epoch ms the next task to dispatch reached this host, when known (tasks read back from the store do not say). */
  headCreatedAt?: number;
}

/** What a buffer tells its task queue manager. */
export interface TaskBufferEvents {
  /** Tasks arrived in memory without an add() call (backlog read, requeue written). */
  tasksAvailable(): void;
  /** Another host leased the queue; the buffer refuses further work. */
  leaseLost(err: TaskQueueLeaseLostError): void;
}

// Sticky queues hold tasks in memory only: a sticky task lost with this host is rescheduled on the normal queue by
// history's sticky schedule-to-start timeout.
import type { BufferStatus, TaskBuffer } from './task-buffer.js';
import type { AddTaskRequest, QueuedTask } from './task.js';

export class MemoryTaskBuffer<T extends AddTaskRequest> implements TaskBuffer<T> {
  private tasks: QueuedTask<T>[] = [];

  approximateBacklog(): number {
    return this.tasks.length;
  }

  status(): BufferStatus {
    return { backlogCount: this.tasks.length, readLevel: 0, ackLevel: 0, headCreatedAt: this.tasks[0]?.createdAt };
  }

  async add(task: QueuedTask<T>): Promise<void> {
    this.tasks.push(task);
  }

  take(): QueuedTask<T> | undefined {
    return this.tasks.shift();
  }

  ack(): void {}

  requeue(task: QueuedTask<T>): void {
    this.tasks.unshift(task);
  }

  async close(): Promise<void> {
    this.tasks = [];
  }
}

// The task queues of one task type loaded on this host: one manager per TaskQueueKey, created on first use. Loading
// a normal queue takes its lease, so the previous owner's writes fail from then on; a sticky queue needs no lease.
import type { Logger } from '@tempora/common';
import { TaskQueueLeaseLostError, type TaskQueueStore } from '@tempora/persistence';
import { ownershipLost, unavailable } from '@tempora/rpc';
import { leaseTaskQueue, TaskQueueBacklog } from './backlog.js';
import type { MatchingMetrics } from './engine-metrics.js';
import { MemoryTaskBuffer } from './memory-task-buffer.js';
import type { TaskBuffer, TaskBufferEvents } from './task-buffer.js';
import { taskQueueId, type TaskQueueKey } from './task-queue-key.js';
import { TaskQueueManager } from './task-queue-manager.js';
import type { AddTaskRequest, TaskCodec } from './task.js';

export interface TaskQueueRegistryOptions<T> {
  store: TaskQueueStore;
  codec: TaskCodec<T>;
  logger: Logger;
  /** Whether this host owns the queue on the matching ring; when not, the owner's address (or ''). */
  ownerOf(key: TaskQueueKey): { here: boolean; address: string };
  /** This host's identity, named in "not the owner" errors. */
  identity: string;
  metrics?: MatchingMetrics;
}

export class TaskQueueRegistry<T extends AddTaskRequest> {
  /** Managers by queue id, including those still loading (so concurrent first uses share one lease). */
  private readonly managers = new Map<string, Promise<TaskQueueManager<T>>>();
  private readonly loaded = new Map<string, TaskQueueManager<T>>();
  private closed = false;

  constructor(private readonly options: TaskQueueRegistryOptions<T>) {}

  /** The manager if the queue is loaded; never loads it. */
  find(key: TaskQueueKey): TaskQueueManager<T> | undefined {
    return this.loaded.get(taskQueueId(key));
  }

  /**
   * The queue's manager, loading it on first use; `sticky` decides how a new one buffers tasks. Throws UNAVAILABLE
   * when matching is stopping or another host holds the lease: the caller retries.
   */
  get(key: TaskQueueKey, sticky: boolean): Promise<TaskQueueManager<T>> {
    if (this.closed) return Promise.reject(unavailable('Matching is shutting down.'));
    const owner = this.options.ownerOf(key);
    if (!owner.here) {
      return Promise.reject(
        ownershipLost(`task queue ${key.name} is not owned by this host`, owner.address, this.options.identity),
      );
    }
    const id = taskQueueId(key);
    let manager = this.managers.get(id);
    if (!manager) {
      manager = this.load(key, sticky);
      this.managers.set(id, manager);
      manager.catch(() => {
        if (this.managers.get(id) === manager) this.managers.delete(id);
      });
    }
    return manager;
  }

  /** Closes managers of queues nobody used for idleMs (sticky queues of gone workers, quiet normal queues). */
  async unloadIdle(now: number, idleMs: number): Promise<void> {
    const idle = [...this.loaded.values()].filter((manager) => manager.isIdle(now, idleMs));
    for (const manager of idle) this.forget(manager);
    await Promise.all(idle.map((manager) => manager.close()));
  }

  /** Unloads the queues the ring now assigns to other hosts: their polls end with no task and re-poll there. */
  async unloadUnowned(): Promise<void> {
    const moved = [...this.loaded.values()].filter((manager) => !this.options.ownerOf(manager.key).here);
    for (const manager of moved) this.forget(manager);
    await Promise.all(moved.map((manager) => manager.close()));
  }

  /** Unloads one queue now (a sticky queue whose worker shut down): its polls end with no task. */
  async unload(key: TaskQueueKey): Promise<void> {
    const manager = this.find(key);
    if (!manager) return;
    this.forget(manager);
    await manager.close();
  }

  /** Ends every poll and persists every queue's ack level. */
  async close(): Promise<void> {
    this.closed = true;
    const managers = await Promise.allSettled(this.managers.values());
    this.managers.clear();
    this.loaded.clear();
    await Promise.all(managers.flatMap((result) => (result.status === 'fulfilled' ? [result.value.close()] : [])));
  }

  private async load(key: TaskQueueKey, sticky: boolean): Promise<TaskQueueManager<T>> {
    const createBuffer = sticky ? () => new MemoryTaskBuffer<T>() : await this.leaseBacklog(key);
    const manager = new TaskQueueManager<T>({
      key,
      createBuffer,
      onLeaseLost: () => this.forget(manager),
      logger: this.options.logger,
      sticky,
      metrics: this.options.metrics,
    });
    if (this.closed) await manager.close();
    else this.loaded.set(taskQueueId(key), manager);
    return manager;
  }

  private async leaseBacklog(key: TaskQueueKey): Promise<(events: TaskBufferEvents) => TaskBuffer<T>> {
    const { store, codec, logger } = this.options;
    try {
      const lease = await leaseTaskQueue(store, key);
      return (events) => new TaskQueueBacklog<T>({ store, lease, codec, logger, events });
    } catch (err) {
      if (err instanceof TaskQueueLeaseLostError) {
        throw unavailable(`Task queue ${key.name} is being leased by another matching host: ${err.message}`);
      }
      throw err;
    }
  }

  private forget(manager: TaskQueueManager<T>): void {
    const id = taskQueueId(manager.key);
    if (this.loaded.get(id) !== manager) return;
    this.loaded.delete(id);
    this.managers.delete(id);
  }
}

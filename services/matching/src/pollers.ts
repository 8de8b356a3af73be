// Who polled each task queue and when: DescribeTaskQueue lists recent pollers, and a sticky queue counts as having
// a live worker only if it was polled recently.
import { taskQueueId, type TaskQueueKey } from './task-queue-key.js';

/** DescribeTaskQueue lists pollers seen within this window; older entries are pruned. */
export const POLLER_RETENTION_MS = 5 * 60_000;

export interface PollerRecord {
  identity: string;
  /** Epoch ms of the poller's latest poll. */
  lastAccessTime: number;
}

interface QueuePollers {
  /** Last poll time by poller identity. */
  byIdentity: Map<string, number>;
  lastPollTime: number;
}

export class PollerHistory {
  private readonly queues = new Map<string, QueuePollers>();
  /** Queues whose worker said it shut down since this history began: no poll is assumed for them. */
  private readonly shutDown = new Set<string>();

  /** `startedAt`: epoch ms this history began; who polled before (a previous process of this host) is unknown. */
  constructor(private readonly startedAt = Date.now()) {}

  record(key: TaskQueueKey, identity: string, now = Date.now()): void {
    const id = taskQueueId(key);
    let queue = this.queues.get(id);
    if (!queue) {
      queue = { byIdentity: new Map(), lastPollTime: now };
      this.queues.set(id, queue);
    }
    queue.byIdentity.set(identity, now);
    queue.lastPollTime = now;
  }

  /** Forgets a queue's pollers (its worker shut down). */
  forget(key: TaskQueueKey): void {
    this.queues.delete(taskQueueId(key));
    this.shutDown.add(taskQueueId(key));
  }

  /** Epoch ms of the latest poll on the queue by anyone, or undefined if none is remembered. */
  lastPollTime(key: TaskQueueKey): number | undefined {
    return this.queues.get(taskQueueId(key))?.lastPollTime;
  }

  /**
   * lastPollTime, or for a queue nobody polled since this history began (and whose worker did not shut down) that
   * beginning: after a restart (kill -9 of start-dev) the workers that polled the old process get the same window
   * to poll again as if they had polled at the restart.
   */
  assumedLastPollTime(key: TaskQueueKey): number | undefined {
    const id = taskQueueId(key);
    return this.queues.get(id)?.lastPollTime ?? (this.shutDown.has(id) ? undefined : this.startedAt);
  }

  /** Pollers seen at or after `since` (epoch ms), most recent first. */
  pollersSince(key: TaskQueueKey, since: number): PollerRecord[] {
    const queue = this.queues.get(taskQueueId(key));
    if (!queue) return [];
    return [...queue.byIdentity]
      .filter(([, lastAccessTime]) => lastAccessTime >= since)
      .map(([identity, lastAccessTime]) => ({ identity, lastAccessTime }))
      .sort((a, b) => b.lastAccessTime - a.lastAccessTime);
  }

  /** Forgets pollers (and queues) not seen since `before` (epoch ms). */
  prune(before: number): void {
    // A start older than `before` is older than any caller's window: the shut-down marks no longer change an answer.
    if (this.startedAt < before) this.shutDown.clear();
    for (const [id, queue] of this.queues) {
      for (const [identity, lastAccessTime] of queue.byIdentity) {
        if (lastAccessTime < before) queue.byIdentity.delete(identity);
      }
      if (queue.byIdentity.size === 0) this.queues.delete(id);
    }
  }
}

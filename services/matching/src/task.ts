// A task as matching holds it: the Add*Request history sent, when it stops being worth dispatching, and where it
// sits in the persisted backlog.
import { durationToMs } from '@tempora/common';
import type { AddActivityTaskRequest, AddWorkflowTaskRequest } from '@tempora/proto/internal';
import type { PollWorkflowTaskQueueResponse } from '@tempora/proto/workflowservice';
import type { Encodable } from '@tempora/proto/wire';

export type AddTaskRequest = AddWorkflowTaskRequest | AddActivityTaskRequest;

export interface QueuedTask<T extends AddTaskRequest> {
  request: T;
  /** Epoch ms after which the task is dropped instead of dispatched (schedule_to_start); 0 = never. */
  expiresAt: number;
  /** Epoch ms the task reached this host (for task_schedule_to_start_latency); absent for tasks read back. */
  createdAt?: number;
  /** Id in the persisted backlog; undefined for tasks never written (sync matches, sticky queues). */
  taskId?: number;
  /** For a sync match: tells the waiting AddTask whether history recorded the start ('started') or not ('retry'). */
  settle?: (outcome: 'started' | 'retry') => void;
  /** Set on a query task: the complete poll response its poller gets (no history call, never persisted). */
  query?: { pollResponse: PollWorkflowTaskQueueResponse };
}

/** How backlog rows are encoded: the generated message type of the Add*Request. */
export interface TaskCodec<T> extends Encodable<T> {
  decode(input: Uint8Array): T;
}

export function newTask<T extends AddTaskRequest>(request: T, now: number): QueuedTask<T> {
  const timeoutMs = durationToMs(request.scheduleToStartTimeout);
  return { request, expiresAt: timeoutMs > 0 ? now + timeoutMs : 0, createdAt: now };
}

/** History runs its own schedule-to-start timers, so an expired task is simply not dispatched. */
export function isExpired(task: QueuedTask<AddTaskRequest>, now: number): boolean {
  return task.expiresAt !== 0 && task.expiresAt <= now;
}

import type { AddWorkflowTaskRequest, AddWorkflowTaskResponse } from '@tempora/proto/internal';
import { TaskQueueType } from '@tempora/proto/enums';
import { stickyWorkerUnavailable } from '@tempora/rpc';
import type { MatchingContext } from '../context.js';
import { isStickyTaskQueue, taskQueueKey, type TaskQueueKey } from '../task-queue-key.js';

/** A sticky worker counts as alive if it polled this recently (or is polling now). */
const STICKY_POLLER_WINDOW_MS = 10_000;

export function addWorkflowTask(ctx: MatchingContext) {
  return async (request: AddWorkflowTaskRequest): Promise<AddWorkflowTaskResponse> => {
    const key = taskQueueKey(request.namespaceId, request.taskQueue, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW);
    const sticky = isStickyTaskQueue(request.taskQueue);
    // A sticky task nobody will poll would only wait for history's sticky timeout; failing lets history use the
    // normal queue at once. Right after this host started, a worker that polled its previous process is assumed
    // alive: its sticky tasks (dispatched again by history) wait for it on the sticky queue, as they would on
    // upstream's persisted sticky queues, instead of being replayed from full history by a normal poller.
    if (sticky && !stickyWorkerAlive(ctx, key, ctx.pollers.assumedLastPollTime(key)))
      throw stickyWorkerUnavailable(key.name);
    const manager = await ctx.workflowQueues.get(key, sticky);
    await manager.addTask(request);
    return {};
  };
}

/** Queries (dispatch-query-task) use the last poll seen: a caller waits for their answer, so no worker is assumed. */
export function stickyWorkerAlive(
  ctx: MatchingContext,
  key: TaskQueueKey,
  lastPollTime = ctx.pollers.lastPollTime(key),
): boolean {
  if (ctx.workflowQueues.find(key)?.hasWaitingPoller()) return true;
  return lastPollTime !== undefined && Date.now() - lastPollTime < STICKY_POLLER_WINDOW_MS;
}

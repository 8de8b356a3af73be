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
    // normal queue at once.
    if (sticky && !stickyWorkerAlive(ctx, key)) throw stickyWorkerUnavailable(key.name);
    const manager = await ctx.workflowQueues.get(key, sticky);
    await manager.addTask(request);
    return {};
  };
}

export function stickyWorkerAlive(ctx: MatchingContext, key: TaskQueueKey): boolean {
  if (ctx.workflowQueues.find(key)?.hasWaitingPoller()) return true;
  const lastPollTime = ctx.pollers.lastPollTime(key);
  return lastPollTime !== undefined && Date.now() - lastPollTime < STICKY_POLLER_WINDOW_MS;
}

import type { AddActivityTaskRequest, AddActivityTaskResponse } from '@tempora/proto/internal';
import { TaskQueueType } from '@tempora/proto/enums';
import type { MatchingContext } from '../context.js';
import { taskQueueKey } from '../task-queue-key.js';

export function addActivityTask(ctx: MatchingContext) {
  return async (request: AddActivityTaskRequest): Promise<AddActivityTaskResponse> => {
    const key = taskQueueKey(request.namespaceId, request.taskQueue, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY);
    const manager = await ctx.activityQueues.get(key, false);
    await manager.addTask(request);
    return {};
  };
}

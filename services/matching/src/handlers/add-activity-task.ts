import type {
  AddActivityTaskRequest,
  AddActivityTaskResponse,
} from '@tempora/proto/generated/tempora/internal/v1/matching_service';
import { TaskQueueType } from '@tempora/proto/generated/temporal/api/enums/v1/task_queue';
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

import type { ShutdownWorkerRequest, ShutdownWorkerResponse } from '@tempora/proto/internal';
import { TaskQueueKind, TaskQueueType } from '@tempora/proto/enums';
import type { MatchingContext } from '../context.js';
import { taskQueueKey } from '../task-queue-key.js';

/** Unloads the worker's sticky queue and forgets its poller, so its next task goes to the normal queue. */
export function shutdownWorker(ctx: MatchingContext) {
  return async (request: ShutdownWorkerRequest): Promise<ShutdownWorkerResponse> => {
    if (!request.stickyTaskQueue) return {};
    const key = taskQueueKey(
      request.namespaceId,
      { name: request.stickyTaskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY, normalName: '' },
      TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    );
    ctx.pollers.forget(key);
    await ctx.workflowQueues.unload(key);
    return {};
  };
}

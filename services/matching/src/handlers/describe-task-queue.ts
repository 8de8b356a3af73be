import type { DescribeTaskQueueRequest, DescribeTaskQueueResponse } from '@tempora/proto/internal';
import { TaskQueueType } from '@tempora/proto/enums';
import type { DeepPartial } from '@tempora/rpc';
import type { MatchingContext } from '../context.js';
import { POLLER_RETENTION_MS } from '../pollers.js';
import { taskQueueKey } from '../task-queue-key.js';

/** The pollers of the requested task queue type (workflow by default) seen in the last five minutes. */
export function describeTaskQueue(ctx: MatchingContext) {
  return async (request: DescribeTaskQueueRequest): Promise<DeepPartial<DescribeTaskQueueResponse>> => {
    const describe = request.request;
    const taskType = describe?.taskQueueType || TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW;
    const key = taskQueueKey(request.namespaceId, describe?.taskQueue, taskType);
    const pollers = ctx.pollers.pollersSince(key, Date.now() - POLLER_RETENTION_MS);
    return {
      response: {
        pollers: pollers.map(({ identity, lastAccessTime }) => ({
          identity,
          lastAccessTime: new Date(lastAccessTime),
          ratePerSecond: 0,
        })),
      },
    };
  };
}

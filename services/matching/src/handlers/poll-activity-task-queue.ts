import { randomUUID } from 'node:crypto';
import type { PollActivityTaskQueueRequest, PollActivityTaskQueueResponse } from '@tempora/proto/internal';
import { TaskQueueType } from '@tempora/proto/enums';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { MatchingContext } from '../context.js';
import { taskQueueKey } from '../task-queue-key.js';
import { longPoll } from './long-poll.js';

export function pollActivityTaskQueue(ctx: MatchingContext) {
  return async (
    request: PollActivityTaskQueueRequest,
    call: CallContext,
  ): Promise<DeepPartial<PollActivityTaskQueueResponse>> => {
    const pollRequest = request.pollRequest;
    const key = taskQueueKey(request.namespaceId, pollRequest?.taskQueue, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY);
    const requestId = request.pollerId || randomUUID();
    return longPoll(ctx, call, {
      queues: ctx.activityQueues,
      key,
      sticky: false,
      identity: pollRequest?.identity ?? '',
      recordStarted: async ({ request: task }) => {
        const started = await ctx.history.recordActivityTaskStarted(
          {
            namespaceId: task.namespaceId,
            execution: task.execution,
            scheduledEventId: task.scheduledEventId,
            requestId,
            attempt: task.attempt,
            pollRequest,
          },
          { deadline: call.deadline },
        );
        return started.response;
      },
    });
  };
}

import { randomUUID } from 'node:crypto';
import type { PollWorkflowTaskQueueRequest, PollWorkflowTaskQueueResponse } from '@tempora/proto/internal';
import { TaskQueueType } from '@tempora/proto/enums';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { MatchingContext } from '../context.js';
import { isStickyTaskQueue, taskQueueKey } from '../task-queue-key.js';
import { longPoll } from './long-poll.js';

/** Polls the queue named by poll_request.task_queue: the normal queue, or a worker's sticky queue. */
export function pollWorkflowTaskQueue(ctx: MatchingContext) {
  return async (
    request: PollWorkflowTaskQueueRequest,
    call: CallContext,
  ): Promise<DeepPartial<PollWorkflowTaskQueueResponse>> => {
    const pollRequest = request.pollRequest;
    const taskQueue = pollRequest?.taskQueue;
    const key = taskQueueKey(request.namespaceId, taskQueue, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW);
    const requestId = request.pollerId || randomUUID();
    const { response, backlogCountHint } = await longPoll(ctx, call, {
      queues: ctx.workflowQueues,
      key,
      sticky: isStickyTaskQueue(taskQueue),
      identity: pollRequest?.identity ?? '',
      recordStarted: async ({ request: task, query }) => {
        if (query) return query.pollResponse;
        const started = await ctx.history.recordWorkflowTaskStarted(
          {
            namespaceId: task.namespaceId,
            execution: task.execution,
            scheduledEventId: task.scheduledEventId,
            requestId,
            pollRequest,
          },
          { deadline: call.deadline },
        );
        return started.response;
      },
    });
    // Upstream's hint too is approximate: tasks still queued (in memory and in the store) after this one.
    return response ? { response: { ...response, backlogCountHint } } : {};
  };
}

import { randomUUID } from 'node:crypto';
import {
  AddWorkflowTaskRequest,
  type DispatchQueryTaskRequest,
  type DispatchQueryTaskResponse,
  QueryTaskToken,
} from '@tempora/proto/internal';
import { TaskQueueType } from '@tempora/proto/enums';
import { PollWorkflowTaskQueueResponse } from '@tempora/proto/workflowservice';
import { Code, RpcError, stickyWorkerUnavailable, type CallContext, type DeepPartial } from '@tempora/rpc';
import type { MatchingContext } from '../context.js';
import { isStickyTaskQueue, taskQueueKey } from '../task-queue-key.js';
import { stickyWorkerAlive } from './add-workflow-task.js';

/**
 * Hands a query task to a poller of the queue (sync match only) and waits for the worker's answer until the
 * caller's deadline. A sticky queue without a live worker answers StickyWorkerUnavailable at once.
 */
export function dispatchQueryTask(ctx: MatchingContext) {
  return async (
    request: DispatchQueryTaskRequest,
    call: CallContext,
  ): Promise<DeepPartial<DispatchQueryTaskResponse>> => {
    const key = taskQueueKey(request.namespaceId, request.taskQueue, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW);
    const sticky = isStickyTaskQueue(request.taskQueue);
    if (sticky && !stickyWorkerAlive(ctx, key)) throw stickyWorkerUnavailable(key.name);
    const manager = await ctx.workflowQueues.get(key, sticky);
    const taskId = randomUUID();
    const taskToken = Buffer.from(
      QueryTaskToken.encode({
        namespaceId: request.namespaceId,
        workflowId: request.pollResponse?.workflowExecution?.workflowId ?? '',
        taskQueue: key.name,
        taskId,
      }).finish(),
    );
    // In process the call's signal does not fire at its deadline, so the deadline gets its own signal.
    const signals = [call.signal, ctx.stopping];
    if (Number.isFinite(call.deadline)) signals.push(AbortSignal.timeout(Math.max(0, call.deadline - Date.now())));
    const signal = AbortSignal.any(signals);
    const answer = ctx.queryAnswers.wait(taskId, signal);
    const taken = await manager.offerQuery(
      {
        request: AddWorkflowTaskRequest.fromPartial({ namespaceId: request.namespaceId, taskQueue: request.taskQueue }),
        expiresAt: 0,
        query: {
          pollResponse: PollWorkflowTaskQueueResponse.fromPartial({
            ...request.pollResponse,
            taskToken,
            query: request.query,
          }),
        },
      },
      signal,
    );
    const completed = taken ? await answer : undefined;
    if (!completed) {
      throw new RpcError(
        Code.DEADLINE_EXCEEDED,
        taken
          ? 'query task timed out waiting for the worker to answer'
          : `no worker polled task queue ${key.name} before the query timed out`,
      );
    }
    return { completed };
  };
}

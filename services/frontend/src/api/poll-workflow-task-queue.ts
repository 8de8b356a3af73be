import type { PollWorkflowTaskQueueRequest, PollWorkflowTaskQueueResponse } from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { sealWorkflowTask } from '../history-page-tokens.js';
import { longPoll } from '../long-poll.js';
import { validateIdentity, validateTaskQueue } from '../validation.js';

export function pollWorkflowTaskQueue(ctx: FrontendContext) {
  return async (
    request: PollWorkflowTaskQueueRequest,
    call: CallContext,
  ): Promise<DeepPartial<PollWorkflowTaskQueueResponse>> => {
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    validateTaskQueue(request.taskQueue);
    validateIdentity(request.identity);
    const task = await longPoll(call, (pollerId) =>
      ctx.matching.pollWorkflowTaskQueue({ namespaceId, pollerId, pollRequest: request }, call),
    );
    return sealWorkflowTask(ctx, namespaceId, task);
  };
}

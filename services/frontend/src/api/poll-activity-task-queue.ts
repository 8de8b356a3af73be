import type { PollActivityTaskQueueRequest, PollActivityTaskQueueResponse } from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { longPoll } from '../long-poll.js';
import { validateIdentity, validateTaskQueue } from '../validation.js';

export function pollActivityTaskQueue(ctx: FrontendContext) {
  return async (
    request: PollActivityTaskQueueRequest,
    call: CallContext,
  ): Promise<DeepPartial<PollActivityTaskQueueResponse>> => {
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    validateTaskQueue(request.taskQueue);
    validateIdentity(request.identity);
    return longPoll(call, (pollerId) =>
      ctx.matching.pollActivityTaskQueue({ namespaceId, pollerId, pollRequest: request }, call),
    );
  };
}

import { ActivityTaskToken } from '@tempora/proto/internal';
import type {
  RespondActivityTaskCompletedRequest,
  RespondActivityTaskCompletedResponse,
} from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { resultTooLarge } from '../size-limits.js';
import { validateTaskTokenRequest } from '../task-tokens.js';

export function respondActivityTaskCompleted(ctx: FrontendContext) {
  return async (
    request: RespondActivityTaskCompletedRequest,
    call: CallContext,
  ): Promise<DeepPartial<RespondActivityTaskCompletedResponse>> => {
    const namespaceId = await validateTaskTokenRequest(ctx, ActivityTaskToken, request);
    const failure = resultTooLarge(ctx, request.result, request.namespace);
    if (failure) {
      // upstream: a result over the blob size limit fails the activity (retried per its policy) instead.
      const failed = {
        taskToken: request.taskToken,
        identity: request.identity,
        namespace: request.namespace,
        failure,
      };
      await ctx.history.respondActivityTaskFailed({ namespaceId, request: failed }, call);
      return {};
    }
    await ctx.history.respondActivityTaskCompleted({ namespaceId, request }, call);
    return {};
  };
}

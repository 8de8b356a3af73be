import { ActivityTaskToken } from '@tempora/proto/internal';
import type {
  RespondActivityTaskCompletedRequest,
  RespondActivityTaskCompletedResponse,
} from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateTaskTokenRequest } from '../task-tokens.js';

export function respondActivityTaskCompleted(ctx: FrontendContext) {
  return async (
    request: RespondActivityTaskCompletedRequest,
    call: CallContext,
  ): Promise<DeepPartial<RespondActivityTaskCompletedResponse>> => {
    const namespaceId = await validateTaskTokenRequest(ctx, ActivityTaskToken, request);
    await ctx.history.respondActivityTaskCompleted({ namespaceId, request }, call);
    return {};
  };
}

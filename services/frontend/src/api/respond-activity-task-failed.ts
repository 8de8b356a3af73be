import { ActivityTaskToken } from '@tempora/proto/internal';
import type {
  RespondActivityTaskFailedRequest,
  RespondActivityTaskFailedResponse,
} from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { failureTooLarge } from '../size-limits.js';
import { validateTaskTokenRequest } from '../task-tokens.js';

export function respondActivityTaskFailed(ctx: FrontendContext) {
  return async (
    request: RespondActivityTaskFailedRequest,
    call: CallContext,
  ): Promise<DeepPartial<RespondActivityTaskFailedResponse>> => {
    const namespaceId = await validateTaskTokenRequest(ctx, ActivityTaskToken, request);
    const replacement = failureTooLarge(ctx, request.failure, request.namespace);
    const sent = replacement ? { ...request, failure: replacement, lastHeartbeatDetails: undefined } : request;
    const result = await ctx.history.respondActivityTaskFailed({ namespaceId, request: sent }, call);
    return result.response ?? {};
  };
}

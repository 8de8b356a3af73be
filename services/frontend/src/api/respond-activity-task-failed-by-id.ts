import type {
  RespondActivityTaskFailedByIdRequest,
  RespondActivityTaskFailedByIdResponse,
} from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { toActivityTokenRequest } from '../task-tokens.js';

export function respondActivityTaskFailedById(ctx: FrontendContext) {
  return async (
    request: RespondActivityTaskFailedByIdRequest,
    call: CallContext,
  ): Promise<DeepPartial<RespondActivityTaskFailedByIdResponse>> => {
    const result = await ctx.history.respondActivityTaskFailed(await toActivityTokenRequest(ctx, request), call);
    return result.response ?? {};
  };
}

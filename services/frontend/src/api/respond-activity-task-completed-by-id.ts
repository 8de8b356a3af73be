import type {
  RespondActivityTaskCompletedByIdRequest,
  RespondActivityTaskCompletedByIdResponse,
} from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { toActivityTokenRequest } from '../task-tokens.js';

export function respondActivityTaskCompletedById(ctx: FrontendContext) {
  return async (
    request: RespondActivityTaskCompletedByIdRequest,
    call: CallContext,
  ): Promise<DeepPartial<RespondActivityTaskCompletedByIdResponse>> => {
    await ctx.history.respondActivityTaskCompleted(await toActivityTokenRequest(ctx, request), call);
    return {};
  };
}

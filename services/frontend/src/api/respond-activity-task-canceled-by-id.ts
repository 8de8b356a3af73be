import type {
  RespondActivityTaskCanceledByIdRequest,
  RespondActivityTaskCanceledByIdResponse,
} from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { toActivityTokenRequest } from '../task-tokens.js';

export function respondActivityTaskCanceledById(ctx: FrontendContext) {
  return async (
    request: RespondActivityTaskCanceledByIdRequest,
    call: CallContext,
  ): Promise<DeepPartial<RespondActivityTaskCanceledByIdResponse>> => {
    await ctx.history.respondActivityTaskCanceled(await toActivityTokenRequest(ctx, request), call);
    return {};
  };
}

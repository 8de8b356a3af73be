import { ActivityTaskToken } from '@tempora/proto/internal';
import type {
  RespondActivityTaskCanceledRequest,
  RespondActivityTaskCanceledResponse,
} from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateTaskTokenRequest } from '../task-tokens.js';

export function respondActivityTaskCanceled(ctx: FrontendContext) {
  return async (
    request: RespondActivityTaskCanceledRequest,
    call: CallContext,
  ): Promise<DeepPartial<RespondActivityTaskCanceledResponse>> => {
    const namespaceId = await validateTaskTokenRequest(ctx, ActivityTaskToken, request);
    await ctx.history.respondActivityTaskCanceled({ namespaceId, request }, call);
    return {};
  };
}

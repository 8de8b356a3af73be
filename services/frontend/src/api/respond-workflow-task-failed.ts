import { WorkflowTaskToken } from '@tempora/proto/internal';
import type {
  RespondWorkflowTaskFailedRequest,
  RespondWorkflowTaskFailedResponse,
} from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateTaskTokenRequest } from '../task-tokens.js';

export function respondWorkflowTaskFailed(ctx: FrontendContext) {
  return async (
    request: RespondWorkflowTaskFailedRequest,
    call: CallContext,
  ): Promise<DeepPartial<RespondWorkflowTaskFailedResponse>> => {
    const namespaceId = await validateTaskTokenRequest(ctx, WorkflowTaskToken, request);
    await ctx.history.respondWorkflowTaskFailed({ namespaceId, request }, call);
    return {};
  };
}

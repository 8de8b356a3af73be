import { WorkflowTaskToken } from '@tempora/proto/internal';
import type {
  RespondWorkflowTaskCompletedRequest,
  RespondWorkflowTaskCompletedResponse,
} from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { sealWorkflowTask } from '../history-page-tokens.js';
import { validateTaskTokenRequest } from '../task-tokens.js';

export function respondWorkflowTaskCompleted(ctx: FrontendContext) {
  return async (
    request: RespondWorkflowTaskCompletedRequest,
    call: CallContext,
  ): Promise<DeepPartial<RespondWorkflowTaskCompletedResponse>> => {
    const namespaceId = await validateTaskTokenRequest(ctx, WorkflowTaskToken, request);
    const result = await ctx.history.respondWorkflowTaskCompleted({ namespaceId, request }, call);
    const response = result.response;
    if (!response?.workflowTask) return response ?? {};
    return { ...response, workflowTask: sealWorkflowTask(ctx, namespaceId, response.workflowTask) };
  };
}

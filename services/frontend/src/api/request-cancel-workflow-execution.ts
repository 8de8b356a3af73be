import type {
  RequestCancelWorkflowExecutionRequest,
  RequestCancelWorkflowExecutionResponse,
} from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateExecution, validateRequestId } from '../validation.js';

export function requestCancelWorkflowExecution(ctx: FrontendContext) {
  return async (
    request: RequestCancelWorkflowExecutionRequest,
    call: CallContext,
  ): Promise<DeepPartial<RequestCancelWorkflowExecutionResponse>> => {
    validateExecution(request.workflowExecution);
    validateRequestId(request.requestId);
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    await ctx.history.requestCancelWorkflowExecution({ namespaceId, request }, call);
    return {};
  };
}

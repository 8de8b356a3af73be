import type { ResetWorkflowExecutionRequest, ResetWorkflowExecutionResponse } from '@tempora/proto/workflowservice';
import { invalidArgument, type CallContext, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateExecution, validateRequestId } from '../validation.js';

export function resetWorkflowExecution(ctx: FrontendContext) {
  return async (
    request: ResetWorkflowExecutionRequest,
    call: CallContext,
  ): Promise<DeepPartial<ResetWorkflowExecutionResponse>> => {
    if (!request.requestId) throw invalidArgument('RequestId is not set on request.');
    validateRequestId(request.requestId);
    validateExecution(request.workflowExecution);
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    const result = await ctx.history.resetWorkflowExecution({ namespaceId, request }, call);
    return result.response ?? {};
  };
}

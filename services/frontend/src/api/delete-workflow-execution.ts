import type { DeleteWorkflowExecutionRequest, DeleteWorkflowExecutionResponse } from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateExecution } from '../validation.js';

export function deleteWorkflowExecution(ctx: FrontendContext) {
  return async (
    request: DeleteWorkflowExecutionRequest,
    call: CallContext,
  ): Promise<DeepPartial<DeleteWorkflowExecutionResponse>> => {
    const execution = validateExecution(request.workflowExecution);
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    await ctx.history.deleteWorkflowExecution({ namespaceId, execution }, call);
    return {};
  };
}

import type { UpdateWorkflowExecutionRequest, UpdateWorkflowExecutionResponse } from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { prepareUpdateRequest } from '../update-requests.js';

export function updateWorkflowExecution(ctx: FrontendContext) {
  return async (
    request: UpdateWorkflowExecutionRequest,
    call: CallContext,
  ): Promise<DeepPartial<UpdateWorkflowExecutionResponse>> => {
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    const result = await ctx.history.updateWorkflowExecution(
      { namespaceId, request: prepareUpdateRequest(request) },
      call,
    );
    return result.response ?? {};
  };
}

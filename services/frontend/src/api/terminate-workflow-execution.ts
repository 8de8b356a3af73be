import type {
  TerminateWorkflowExecutionRequest,
  TerminateWorkflowExecutionResponse,
} from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateExecution } from '../validation.js';

export function terminateWorkflowExecution(ctx: FrontendContext) {
  return async (
    request: TerminateWorkflowExecutionRequest,
    call: CallContext,
  ): Promise<DeepPartial<TerminateWorkflowExecutionResponse>> => {
    validateExecution(request.workflowExecution);
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    await ctx.history.terminateWorkflowExecution({ namespaceId, request }, call);
    return {};
  };
}

import type {
  PollWorkflowExecutionUpdateRequest,
  PollWorkflowExecutionUpdateResponse,
} from '@tempora/proto/workflowservice';
import { invalidArgument, type CallContext, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateExecution } from '../validation.js';

export function pollWorkflowExecutionUpdate(ctx: FrontendContext) {
  return async (
    request: PollWorkflowExecutionUpdateRequest,
    call: CallContext,
  ): Promise<DeepPartial<PollWorkflowExecutionUpdateResponse>> => {
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    const ref = request.updateRef;
    if (!ref) throw invalidArgument('UpdateRef is not set on request.');
    validateExecution(ref.workflowExecution);
    if (!ref.updateId) throw invalidArgument('UpdateId is not set on request.');
    const result = await ctx.history.pollWorkflowExecutionUpdate({ namespaceId, request }, call);
    return result.response ?? {};
  };
}

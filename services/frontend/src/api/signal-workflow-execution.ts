import type { SignalWorkflowExecutionRequest, SignalWorkflowExecutionResponse } from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { checkPayloads } from '../size-limits.js';
import { validateExecution, validateRequestId, validateSignalName } from '../validation.js';

export function signalWorkflowExecution(ctx: FrontendContext) {
  return async (
    request: SignalWorkflowExecutionRequest,
    call: CallContext,
  ): Promise<DeepPartial<SignalWorkflowExecutionResponse>> => {
    validateExecution(request.workflowExecution);
    validateSignalName(request.signalName);
    validateRequestId(request.requestId);
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    checkPayloads(ctx, 'SignalWorkflowExecutionRequest.Input', request.input, {
      namespace: request.namespace,
      workflowId: request.workflowExecution?.workflowId,
    });
    await ctx.history.signalWorkflowExecution({ namespaceId, request }, call);
    return {};
  };
}

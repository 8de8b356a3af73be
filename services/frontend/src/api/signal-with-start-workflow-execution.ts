import { randomUUID } from 'node:crypto';
import type {
  SignalWithStartWorkflowExecutionRequest,
  SignalWithStartWorkflowExecutionResponse,
} from '@tempora/proto/generated/temporal/api/workflowservice/v1/request_response';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateSignalName, withDefaultWorkflowIdPolicies } from '../validation.js';
import { validateStartRequest } from './start-workflow-execution.js';

export function signalWithStartWorkflowExecution(ctx: FrontendContext) {
  return async (
    request: SignalWithStartWorkflowExecutionRequest,
    call: CallContext,
  ): Promise<DeepPartial<SignalWithStartWorkflowExecutionResponse>> => {
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    validateSignalName(request.signalName);
    validateStartRequest(request);
    const result = await ctx.history.signalWithStartWorkflowExecution(
      {
        namespaceId,
        request: { ...request, ...withDefaultWorkflowIdPolicies(request), requestId: request.requestId || randomUUID() },
      },
      call,
    );
    return result.response ?? {};
  };
}

import type {
  DescribeWorkflowExecutionRequest,
  DescribeWorkflowExecutionResponse,
} from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateExecution } from '../validation.js';

export function describeWorkflowExecution(ctx: FrontendContext) {
  return async (
    request: DescribeWorkflowExecutionRequest,
    call: CallContext,
  ): Promise<DeepPartial<DescribeWorkflowExecutionResponse>> => {
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    validateExecution(request.execution);
    const result = await ctx.history.describeWorkflowExecution({ namespaceId, request }, call);
    return result.response ?? {};
  };
}

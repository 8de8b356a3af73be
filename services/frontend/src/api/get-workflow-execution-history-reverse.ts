import type {
  GetWorkflowExecutionHistoryReverseRequest,
  GetWorkflowExecutionHistoryReverseResponse,
} from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateExecution, validatePageSize } from '../validation.js';

export function getWorkflowExecutionHistoryReverse(ctx: FrontendContext) {
  return async (
    request: GetWorkflowExecutionHistoryReverseRequest,
    call: CallContext,
  ): Promise<DeepPartial<GetWorkflowExecutionHistoryReverseResponse>> => {
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    validateExecution(request.execution);
    validatePageSize(request.maximumPageSize);
    const result = await ctx.history.getWorkflowExecutionHistoryReverse({ namespaceId, request }, call);
    return result.response ?? {};
  };
}

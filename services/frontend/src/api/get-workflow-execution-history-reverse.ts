import type {
  GetWorkflowExecutionHistoryReverseRequest,
  GetWorkflowExecutionHistoryReverseResponse,
} from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { historyTokenScope } from '../history-page-tokens.js';
import { validateExecution, validatePageSize } from '../validation.js';

export function getWorkflowExecutionHistoryReverse(ctx: FrontendContext) {
  return async (
    request: GetWorkflowExecutionHistoryReverseRequest,
    call: CallContext,
  ): Promise<DeepPartial<GetWorkflowExecutionHistoryReverseResponse>> => {
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    validateExecution(request.execution);
    validatePageSize(request.maximumPageSize);
    const scope = historyTokenScope('GetWorkflowExecutionHistoryReverse', namespaceId, request.execution!.workflowId);
    const nextPageToken = ctx.pageTokens.open(scope, request.nextPageToken);
    const result = await ctx.history.getWorkflowExecutionHistoryReverse(
      { namespaceId, request: { ...request, nextPageToken } },
      call,
    );
    const response = result.response;
    if (!response) return {};
    return { ...response, nextPageToken: ctx.pageTokens.seal(scope, response.nextPageToken ?? new Uint8Array()) };
  };
}

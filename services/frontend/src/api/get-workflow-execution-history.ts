import type {
  GetWorkflowExecutionHistoryRequest,
  GetWorkflowExecutionHistoryResponse,
} from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { historyTokenScope } from '../history-page-tokens.js';
import { validateExecution, validatePageSize } from '../validation.js';

/**
 * Clients that show history to people. A pending transient workflow task is not history yet; workers and SDK
 * clients need its events to replay, but the CLI and UI would show events that may never be written.
 */
const CLIENTS_WITHOUT_TRANSIENT_EVENTS = ['temporal-cli', 'temporal-ui'];

export function getWorkflowExecutionHistory(ctx: FrontendContext) {
  return async (
    request: GetWorkflowExecutionHistoryRequest,
    call: CallContext,
  ): Promise<DeepPartial<GetWorkflowExecutionHistoryResponse>> => {
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    validateExecution(request.execution);
    validatePageSize(request.maximumPageSize);
    const scope = historyTokenScope('GetWorkflowExecutionHistory', namespaceId, request.execution!.workflowId);
    const nextPageToken = ctx.pageTokens.open(scope, request.nextPageToken);
    // The caller's deadline matters here: with wait_new_event history long-polls until it nears.
    const result = await ctx.history.getWorkflowExecutionHistory(
      {
        namespaceId,
        request: { ...request, nextPageToken },
        includeTransientEvents: !CLIENTS_WITHOUT_TRANSIENT_EVENTS.includes(call.clientName),
      },
      call,
    );
    const response = result.response;
    if (!response) return {};
    return { ...response, nextPageToken: ctx.pageTokens.seal(scope, response.nextPageToken ?? new Uint8Array()) };
  };
}

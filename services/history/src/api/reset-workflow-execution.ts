import type { ResetWorkflowExecutionRequest, ResetWorkflowExecutionResponse } from '@tempora/proto/internal';
import type { DeepPartial } from '@tempora/rpc';
import type { HistoryContext } from '../context.js';
import { resetWorkflow } from '../reset.js';

export function resetWorkflowExecution(ctx: HistoryContext) {
  return async ({
    namespaceId,
    request,
  }: ResetWorkflowExecutionRequest): Promise<DeepPartial<ResetWorkflowExecutionResponse>> => {
    const runId = await resetWorkflow(ctx, namespaceId, request!);
    return { response: { runId } };
  };
}

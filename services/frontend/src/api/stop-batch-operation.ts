import type { StopBatchOperationRequest, StopBatchOperationResponse } from '@tempora/proto/workflowservice';
import { invalidArgument, type CallContext, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';

/** Terminates the batcher workflow with the caller's reason (upstream StopBatchOperation). */
export function stopBatchOperation(ctx: FrontendContext) {
  return async (
    request: StopBatchOperationRequest,
    call: CallContext,
  ): Promise<DeepPartial<StopBatchOperationResponse>> => {
    if (!request.jobId) throw invalidArgument('JobId is not set on request.');
    if (!request.namespace) throw invalidArgument('Namespace is not set on request.');
    if (!request.reason) throw invalidArgument('Reason is not set on request.');
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    await ctx.history.terminateWorkflowExecution(
      {
        namespaceId,
        request: {
          namespace: request.namespace,
          workflowExecution: { workflowId: request.jobId },
          reason: request.reason,
          identity: request.identity,
        },
      },
      call,
    );
    return {};
  };
}

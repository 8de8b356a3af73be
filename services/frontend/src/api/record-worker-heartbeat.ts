import type { RecordWorkerHeartbeatRequest, RecordWorkerHeartbeatResponse } from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';

/** SDK workers send these when the namespace advertises workerHeartbeats; matching keeps them (ListWorkers). */
export function recordWorkerHeartbeat(ctx: FrontendContext) {
  return async (
    request: RecordWorkerHeartbeatRequest,
    call: CallContext,
  ): Promise<DeepPartial<RecordWorkerHeartbeatResponse>> => {
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    if (request.workerHeartbeat.length) {
      await ctx.matching.recordWorkerHeartbeat({ namespaceId, workerHeartbeat: request.workerHeartbeat }, call);
    }
    return {};
  };
}

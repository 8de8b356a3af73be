import type { ShutdownWorkerRequest, ShutdownWorkerResponse } from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';

/**
 * SDK workers call this as they stop. Their sticky queue is unloaded so tasks for their cached runs go to the
 * normal queue at once, and their last heartbeat (status ShuttingDown) is recorded, as upstream does. Cancelling the
 * worker's own outstanding polls (worker_poll_complete_on_shutdown) is not done, so that capability stays
 * unadvertised.
 */
export function shutdownWorker(ctx: FrontendContext) {
  return async (request: ShutdownWorkerRequest, call: CallContext): Promise<DeepPartial<ShutdownWorkerResponse>> => {
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    if (request.stickyTaskQueue) {
      await ctx.matching.shutdownWorker({ namespaceId, stickyTaskQueue: request.stickyTaskQueue }, call);
    }
    if (request.workerHeartbeat) {
      await ctx.matching.recordWorkerHeartbeat({ namespaceId, workerHeartbeat: [request.workerHeartbeat] }, call);
    }
    return {};
  };
}

import type { ShutdownWorkerRequest, ShutdownWorkerResponse } from '@tempora/proto/workflowservice';
import type { DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';

/**
 * SDK workers call this as they stop. Their sticky queue is unloaded so tasks for their cached runs go to the
 * normal queue at once. Cancelling the worker's own outstanding polls (worker_poll_complete_on_shutdown) is not
 * done, so that capability stays unadvertised.
 */
export function shutdownWorker(ctx: FrontendContext) {
  return async (request: ShutdownWorkerRequest): Promise<DeepPartial<ShutdownWorkerResponse>> => {
    const namespace = await ctx.namespaces.resolve(request.namespace);
    if (request.stickyTaskQueue) {
      await ctx.matching.shutdownWorker({ namespaceId: namespace.info!.id, stickyTaskQueue: request.stickyTaskQueue });
    }
    return {};
  };
}

import type {
  ShutdownWorkerRequest,
  ShutdownWorkerResponse,
} from '@tempora/proto/generated/temporal/api/workflowservice/v1/request_response';
import type { DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';

/**
 * Accepted without effect: SDK workers call it as they stop. Upstream also unloads the worker's sticky queue and
 * completes its pending polls; neither is done yet, so the capabilities that promise them stay unadvertised.
 */
export function shutdownWorker(ctx: FrontendContext) {
  return async (request: ShutdownWorkerRequest): Promise<DeepPartial<ShutdownWorkerResponse>> => {
    await ctx.namespaces.resolve(request.namespace);
    return {};
  };
}

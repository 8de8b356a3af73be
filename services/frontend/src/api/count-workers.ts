import type { CountWorkersRequest, CountWorkersResponse } from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';

/** Answered from the worker heartbeats matching keeps for the namespace. */
export function countWorkers(ctx: FrontendContext) {
  return async (request: CountWorkersRequest, call: CallContext): Promise<DeepPartial<CountWorkersResponse>> => {
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    const result = await ctx.matching.countWorkers({ namespaceId, request }, call);
    return result.response ?? {};
  };
}

import type { ListWorkersRequest, ListWorkersResponse } from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';

/** Answered from the worker heartbeats matching keeps for the namespace. */
export function listWorkers(ctx: FrontendContext) {
  return async (request: ListWorkersRequest, call: CallContext): Promise<DeepPartial<ListWorkersResponse>> => {
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    const result = await ctx.matching.listWorkers({ namespaceId, request }, call);
    return result.response ?? {};
  };
}

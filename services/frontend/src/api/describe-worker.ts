import type { DescribeWorkerRequest, DescribeWorkerResponse } from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';

/** Answered from the worker heartbeats matching keeps for the namespace. */
export function describeWorker(ctx: FrontendContext) {
  return async (request: DescribeWorkerRequest, call: CallContext): Promise<DeepPartial<DescribeWorkerResponse>> => {
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    const result = await ctx.matching.describeWorker({ namespaceId, request }, call);
    return result.response ?? {};
  };
}

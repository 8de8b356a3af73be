import type { DescribeTaskQueueRequest, DescribeTaskQueueResponse } from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateTaskQueue } from '../validation.js';

export function describeTaskQueue(ctx: FrontendContext) {
  return async (
    request: DescribeTaskQueueRequest,
    call: CallContext,
  ): Promise<DeepPartial<DescribeTaskQueueResponse>> => {
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    validateTaskQueue(request.taskQueue);
    const result = await ctx.matching.describeTaskQueue({ namespaceId, request }, call);
    return result.response ?? {};
  };
}

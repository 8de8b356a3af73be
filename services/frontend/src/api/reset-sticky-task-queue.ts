import type { ResetStickyTaskQueueRequest, ResetStickyTaskQueueResponse } from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateExecution } from '../validation.js';

export function resetStickyTaskQueue(ctx: FrontendContext) {
  return async (
    request: ResetStickyTaskQueueRequest,
    call: CallContext,
  ): Promise<DeepPartial<ResetStickyTaskQueueResponse>> => {
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    const execution = validateExecution(request.execution);
    await ctx.history.resetStickyTaskQueue({ namespaceId, execution }, call);
    return {};
  };
}

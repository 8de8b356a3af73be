import type { UpdateActivityOptionsRequest, UpdateActivityOptionsResponse } from '@tempora/proto/workflowservice';
import { invalidArgument, type CallContext, type DeepPartial } from '@tempora/rpc';
import { validateActivitySelector } from '../activity-selection.js';
import type { FrontendContext } from '../context.js';
import { validateExecution } from '../validation.js';

export function updateActivityOptions(ctx: FrontendContext) {
  return async (
    req: UpdateActivityOptionsRequest,
    call: CallContext,
  ): Promise<DeepPartial<UpdateActivityOptionsResponse>> => {
    validateExecution(req.execution);
    validateActivitySelector({ id: req.id, type: req.type, all: req.matchAll });
    if (!req.restoreOriginal && !req.activityOptions) throw invalidArgument('ActivityOptions are not provided');
    const namespaceId = await ctx.namespaces.resolveId(req.namespace);
    const result = await ctx.history.updateActivityOptions({ namespaceId, request: req }, call);
    return result.response ?? {};
  };
}

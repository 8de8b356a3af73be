import type { ResetActivityRequest, ResetActivityResponse } from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import { validateActivitySelector } from '../activity-selection.js';
import type { FrontendContext } from '../context.js';
import { validateExecution } from '../validation.js';

export function resetActivity(ctx: FrontendContext) {
  return async (req: ResetActivityRequest, call: CallContext): Promise<DeepPartial<ResetActivityResponse>> => {
    validateExecution(req.execution);
    validateActivitySelector({ id: req.id, type: req.type, all: req.matchAll });
    const namespaceId = await ctx.namespaces.resolveId(req.namespace);
    await ctx.history.resetActivity({ namespaceId, request: req }, call);
    return {};
  };
}

import type { PauseActivityRequest, PauseActivityResponse } from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import { validateActivitySelector } from '../activity-selection.js';
import type { FrontendContext } from '../context.js';
import { validateExecution } from '../validation.js';

export function pauseActivity(ctx: FrontendContext) {
  return async (req: PauseActivityRequest, call: CallContext): Promise<DeepPartial<PauseActivityResponse>> => {
    validateExecution(req.execution);
    validateActivitySelector({ id: req.id, type: req.type });
    const namespaceId = await ctx.namespaces.resolveId(req.namespace);
    await ctx.history.pauseActivity({ namespaceId, request: req }, call);
    return {};
  };
}

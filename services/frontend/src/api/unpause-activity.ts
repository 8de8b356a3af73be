import type { UnpauseActivityRequest, UnpauseActivityResponse } from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import { validateActivitySelector } from '../activity-selection.js';
import type { FrontendContext } from '../context.js';
import { validateExecution } from '../validation.js';

export function unpauseActivity(ctx: FrontendContext) {
  return async (req: UnpauseActivityRequest, call: CallContext): Promise<DeepPartial<UnpauseActivityResponse>> => {
    validateExecution(req.execution);
    validateActivitySelector({ id: req.id, type: req.type, all: req.unpauseAll });
    const namespaceId = await ctx.namespaces.resolveId(req.namespace);
    await ctx.history.unpauseActivity({ namespaceId, request: req }, call);
    return {};
  };
}

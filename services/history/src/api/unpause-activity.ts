import type { UnpauseActivityRequest, UnpauseActivityResponse } from '@tempora/proto/internal';
import type { DeepPartial } from '@tempora/rpc';
import { unpauseActivity as unpause, withSelectedActivities } from '../activity-operations.js';
import type { HistoryContext } from '../context.js';

export function unpauseActivity(ctx: HistoryContext) {
  return async ({ namespaceId, request }: UnpauseActivityRequest): Promise<DeepPartial<UnpauseActivityResponse>> => {
    const req = request!;
    const selector = { id: req.id, type: req.type, all: req.unpauseAll };
    await withSelectedActivities(ctx, namespaceId, req.execution!, selector, (ms, activity) =>
      unpause(ms, activity, {
        resetAttempts: req.resetAttempts,
        resetHeartbeat: req.resetHeartbeat,
        jitter: req.jitter,
      }),
    );
    return { response: {} };
  };
}

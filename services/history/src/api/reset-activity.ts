import type { ResetActivityRequest, ResetActivityResponse } from '@tempora/proto/internal';
import type { DeepPartial } from '@tempora/rpc';
import { resetActivity as reset, withSelectedActivities } from '../activity-operations.js';
import type { HistoryContext } from '../context.js';

export function resetActivity(ctx: HistoryContext) {
  return async ({ namespaceId, request }: ResetActivityRequest): Promise<DeepPartial<ResetActivityResponse>> => {
    const req = request!;
    const selector = { id: req.id, type: req.type, all: req.matchAll };
    await withSelectedActivities(ctx, namespaceId, req.execution!, selector, (ms, activity) =>
      reset(ms, activity, {
        resetHeartbeat: req.resetHeartbeat,
        keepPaused: req.keepPaused,
        jitter: req.jitter,
        restoreOriginalOptions: req.restoreOriginalOptions,
      }),
    );
    return { response: {} };
  };
}

import type { PauseActivityRequest, PauseActivityResponse } from '@tempora/proto/internal';
import type { DeepPartial } from '@tempora/rpc';
import { pauseActivity as pause, withSelectedActivities } from '../activity-operations.js';
import type { HistoryContext } from '../context.js';

export function pauseActivity(ctx: HistoryContext) {
  return async ({ namespaceId, request }: PauseActivityRequest): Promise<DeepPartial<PauseActivityResponse>> => {
    const req = request!;
    await withSelectedActivities(ctx, namespaceId, req.execution!, req, (ms, activity) =>
      pause(ms, activity, req.identity, req.reason),
    );
    return { response: {} };
  };
}

import type { RecordActivityTaskHeartbeatRequest, RecordActivityTaskHeartbeatResponse } from '@tempora/proto/internal';
import type { DeepPartial } from '@tempora/rpc';
import { activityForToken } from '../activities.js';
import type { HistoryContext } from '../context.js';
import { withActivityToken } from '../activity-token.js';

export function recordActivityTaskHeartbeat(ctx: HistoryContext) {
  return async ({
    request,
  }: RecordActivityTaskHeartbeatRequest): Promise<DeepPartial<RecordActivityTaskHeartbeatResponse>> => {
    const req = request!;
    const response = await withActivityToken(ctx, req.taskToken, (ms, token) => {
      const activity = activityForToken(ms, token);
      activity.lastHeartbeatDetails = req.details;
      activity.lastHeartbeatTime = ms.now;
      // No new timer per heartbeat: the pending heartbeat timer re-arms itself from the latest heartbeat.
      ms.markDirty();
      // The SDK cancels the attempt on activityPaused / activityReset, as upstream expects.
      return {
        cancelRequested: activity.cancelRequested,
        activityPaused: activity.paused,
        activityReset: activity.resetRequested,
      };
    });
    return { response };
  };
}

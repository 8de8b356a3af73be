import { Failure } from '@tempora/proto/failure';
import type { RespondActivityTaskFailedRequest, RespondActivityTaskFailedResponse } from '@tempora/proto/internal';
import type { DeepPartial } from '@tempora/rpc';
import { activityForToken, failActivityAttempt } from '../activities.js';
import type { HistoryContext } from '../context.js';
import { withActivityToken } from '../activity-token.js';

export function respondActivityTaskFailed(ctx: HistoryContext) {
  return async ({
    request,
  }: RespondActivityTaskFailedRequest): Promise<DeepPartial<RespondActivityTaskFailedResponse>> => {
    const req = request!;
    await withActivityToken(ctx, req.taskToken, (ms, token) => {
      const failure = req.failure ?? Failure.fromPartial({ message: 'activity failed' });
      failActivityAttempt(ms, activityForToken(ms, token), failure, req.identity, req.lastHeartbeatDetails);
    });
    return { response: { failures: [] } };
  };
}

import type {
  RespondActivityTaskCompletedRequest,
  RespondActivityTaskCompletedResponse,
} from '@tempora/proto/internal';
import type { DeepPartial } from '@tempora/rpc';
import { activityForToken, completeActivity } from '../activities.js';
import type { HistoryContext } from '../context.js';
import { withActivityToken } from '../activity-token.js';

export function respondActivityTaskCompleted(ctx: HistoryContext) {
  return async ({
    request,
  }: RespondActivityTaskCompletedRequest): Promise<DeepPartial<RespondActivityTaskCompletedResponse>> => {
    const req = request!;
    await withActivityToken(ctx, req.taskToken, (ms, token) => {
      completeActivity(ms, activityForToken(ms, token), req.result, req.identity);
    });
    return {};
  };
}

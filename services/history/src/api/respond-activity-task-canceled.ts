import type { RespondActivityTaskCanceledRequest, RespondActivityTaskCanceledResponse } from '@tempora/proto/internal';
import type { DeepPartial } from '@tempora/rpc';
import { activityForToken, cancelActivity } from '../activities.js';
import type { HistoryContext } from '../context.js';
import { withActivityToken } from '../activity-token.js';

export function respondActivityTaskCanceled(ctx: HistoryContext) {
  return async ({
    request,
  }: RespondActivityTaskCanceledRequest): Promise<DeepPartial<RespondActivityTaskCanceledResponse>> => {
    const req = request!;
    await withActivityToken(ctx, req.taskToken, (ms, token) => {
      cancelActivity(ms, activityForToken(ms, token), req.details, req.identity);
    });
    return {};
  };
}

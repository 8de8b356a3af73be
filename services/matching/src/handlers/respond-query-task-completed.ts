import type { RespondQueryTaskCompletedRequest, RespondQueryTaskCompletedResponse } from '@tempora/proto/internal';
import { notFound } from '@tempora/rpc';
import type { MatchingContext } from '../context.js';

/** Delivers a worker's answer to the query waiting for it. */
export function respondQueryTaskCompleted(ctx: MatchingContext) {
  return async (request: RespondQueryTaskCompletedRequest): Promise<RespondQueryTaskCompletedResponse> => {
    if (!ctx.queryAnswers.answer(request.taskId, request.request!)) {
      throw notFound('query task not found, or already expired');
    }
    return {};
  };
}

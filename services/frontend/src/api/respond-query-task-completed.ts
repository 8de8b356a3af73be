import { QueryTaskToken } from '@tempora/proto/internal';
import { QueryResultType } from '@tempora/proto/enums';
import type {
  RespondQueryTaskCompletedRequest,
  RespondQueryTaskCompletedResponse,
} from '@tempora/proto/workflowservice';
import { invalidArgument, type CallContext } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateTaskTokenRequest } from '../task-tokens.js';

export function respondQueryTaskCompleted(ctx: FrontendContext) {
  return async (
    request: RespondQueryTaskCompletedRequest,
    call: CallContext,
  ): Promise<RespondQueryTaskCompletedResponse> => {
    const namespaceId = await validateTaskTokenRequest(ctx, QueryTaskToken, { ...request, identity: '' });
    if (
      request.completedType !== QueryResultType.QUERY_RESULT_TYPE_ANSWERED &&
      request.completedType !== QueryResultType.QUERY_RESULT_TYPE_FAILED
    ) {
      throw invalidArgument('Invalid CompletedType on request.');
    }
    const token = QueryTaskToken.decode(request.taskToken);
    await ctx.matching.respondQueryTaskCompleted(
      { namespaceId, taskId: token.taskId, taskQueue: { name: token.taskQueue }, request },
      call,
    );
    return {};
  };
}

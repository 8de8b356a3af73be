import { QueryTaskToken } from '@tempora/proto/generated/tempora/internal/v1/tokens';
import { QueryResultType } from '@tempora/proto/generated/temporal/api/enums/v1/query';
import type {
  RespondQueryTaskCompletedRequest,
  RespondQueryTaskCompletedResponse,
} from '@tempora/proto/generated/temporal/api/workflowservice/v1/request_response';
import { invalidArgument, type CallContext } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateTaskTokenRequest } from '../task-tokens.js';

export function respondQueryTaskCompleted(ctx: FrontendContext) {
  return async (request: RespondQueryTaskCompletedRequest, call: CallContext): Promise<RespondQueryTaskCompletedResponse> => {
    const namespaceId = await validateTaskTokenRequest(ctx, QueryTaskToken, { ...request, identity: '' });
    if (
      request.completedType !== QueryResultType.QUERY_RESULT_TYPE_ANSWERED &&
      request.completedType !== QueryResultType.QUERY_RESULT_TYPE_FAILED
    ) {
      throw invalidArgument('Invalid CompletedType on request.');
    }
    const token = QueryTaskToken.decode(request.taskToken);
    await ctx.matching.respondQueryTaskCompleted({ namespaceId, taskId: token.taskId, taskQueue: { name: token.taskQueue }, request }, call);
    return {};
  };
}

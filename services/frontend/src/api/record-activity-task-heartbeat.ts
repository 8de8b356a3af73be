import { ActivityTaskToken } from '@tempora/proto/internal';
import type {
  RecordActivityTaskHeartbeatRequest,
  RecordActivityTaskHeartbeatResponse,
} from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateTaskTokenRequest } from '../task-tokens.js';

export function recordActivityTaskHeartbeat(ctx: FrontendContext) {
  return async (
    request: RecordActivityTaskHeartbeatRequest,
    call: CallContext,
  ): Promise<DeepPartial<RecordActivityTaskHeartbeatResponse>> => {
    const namespaceId = await validateTaskTokenRequest(ctx, ActivityTaskToken, request);
    const result = await ctx.history.recordActivityTaskHeartbeat({ namespaceId, request }, call);
    return result.response ?? {};
  };
}

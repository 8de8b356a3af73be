import type {
  RecordActivityTaskHeartbeatByIdRequest,
  RecordActivityTaskHeartbeatByIdResponse,
} from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { toActivityTokenRequest } from '../task-tokens.js';

export function recordActivityTaskHeartbeatById(ctx: FrontendContext) {
  return async (
    request: RecordActivityTaskHeartbeatByIdRequest,
    call: CallContext,
  ): Promise<DeepPartial<RecordActivityTaskHeartbeatByIdResponse>> => {
    const result = await ctx.history.recordActivityTaskHeartbeat(await toActivityTokenRequest(ctx, request), call);
    return result.response ?? {};
  };
}

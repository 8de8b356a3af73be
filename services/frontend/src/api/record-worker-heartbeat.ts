import type { RecordWorkerHeartbeatRequest, RecordWorkerHeartbeatResponse } from '@tempora/proto/workflowservice';
import type { DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';

/** Accepted and dropped: worker heartbeats are not stored yet, so the workerHeartbeats capability stays false. */
export function recordWorkerHeartbeat(ctx: FrontendContext) {
  return async (request: RecordWorkerHeartbeatRequest): Promise<DeepPartial<RecordWorkerHeartbeatResponse>> => {
    await ctx.namespaces.resolve(request.namespace);
    return {};
  };
}

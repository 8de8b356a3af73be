import type { ResetStickyTaskQueueRequest, ResetStickyTaskQueueResponse } from '@tempora/proto/internal';
import type { DeepPartial } from '@tempora/rpc';
import type { HistoryContext } from '../context.js';

export function resetStickyTaskQueue(ctx: HistoryContext) {
  return async ({
    namespaceId,
    execution,
  }: ResetStickyTaskQueueRequest): Promise<DeepPartial<ResetStickyTaskQueueResponse>> => {
    const engine = ctx.shards.engineFor(namespaceId, execution!.workflowId);
    const runId = await engine.executions.resolveRunId(namespaceId, execution!.workflowId, execution!.runId);
    await engine.executions.update({ namespaceId, workflowId: execution!.workflowId, runId }, (ms) => {
      if (ms.isRunning) ms.clearStickyness();
    });
    return {};
  };
}

import type {
  RecordChildExecutionCompletedRequest,
  RecordChildExecutionCompletedResponse,
} from '@tempora/proto/internal';
import type { DeepPartial } from '@tempora/rpc';
import { recordChildClosed } from '../children.js';
import type { HistoryContext } from '../context.js';
import { workflowCompleted } from '../run-target.js';

export function recordChildExecutionCompleted(ctx: HistoryContext) {
  return async (
    req: RecordChildExecutionCompletedRequest,
  ): Promise<DeepPartial<RecordChildExecutionCompletedResponse>> => {
    const parent = req.parentExecution!;
    const engine = ctx.shards.engineFor(req.namespaceId, parent.workflowId);
    const key = { namespaceId: req.namespaceId, workflowId: parent.workflowId, runId: parent.runId };
    await engine.executions.update(key, (ms) => {
      if (!ms.isRunning) throw workflowCompleted();
      recordChildClosed(ms, req.parentInitiatedId, req.childExecution!, req.completionEvent!);
    });
    return {};
  };
}

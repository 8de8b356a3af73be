import type { DeleteWorkflowExecutionRequest, DeleteWorkflowExecutionResponse } from '@tempora/proto/internal';
import type { DeepPartial } from '@tempora/rpc';
import { terminateRun } from '../close-run.js';
import type { HistoryContext } from '../context.js';
import { HISTORY_SERVICE_IDENTITY } from '../identity.js';
import { targetRun } from '../run-target.js';

/**
 * A closed run is deleted at once. A running one is terminated and deleted by the transfer queue once its close
 * is processed, so its parent and children still hear of it (upstream DeleteAfterClose).
 */
export function deleteWorkflowExecution(ctx: HistoryContext) {
  return async (req: DeleteWorkflowExecutionRequest): Promise<DeepPartial<DeleteWorkflowExecutionResponse>> => {
    const execution = req.execution!;
    const engine = ctx.shards.engineFor(req.namespaceId, execution.workflowId);
    const key = await targetRun(engine, req.namespaceId, execution);
    const wasRunning = await engine.executions.update(key, (ms) => {
      if (!ms.isRunning) return false;
      terminateRun(ms, 'Delete workflow execution', undefined, HISTORY_SERVICE_IDENTITY);
      const close = ms.transferTasks.find((task) => task.closeExecution)?.closeExecution;
      if (close) close.deleteAfterClose = true;
      else ms.addTransferTask({ closeExecution: { deleteAfterClose: true } });
      return true;
    });
    if (!wasRunning) await engine.executions.delete(key);
    return {};
  };
}

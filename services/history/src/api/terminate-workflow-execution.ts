import type { TerminateWorkflowExecutionRequest, TerminateWorkflowExecutionResponse } from '@tempora/proto/internal';
import type { DeepPartial } from '@tempora/rpc';
import { terminateRun } from '../close-run.js';
import type { HistoryContext } from '../context.js';
import { checkTarget, targetRun, workflowCompleted } from '../run-target.js';

export function terminateWorkflowExecution(ctx: HistoryContext) {
  return async (req: TerminateWorkflowExecutionRequest): Promise<DeepPartial<TerminateWorkflowExecutionResponse>> => {
    const request = req.request!;
    const execution = request.workflowExecution!;
    const engine = ctx.shards.engineFor(req.namespaceId, execution.workflowId);
    const key = await targetRun(engine, req.namespaceId, execution, request.firstExecutionRunId);
    await engine.executions.update(key, (ms) => {
      if (!ms.isRunning) throw workflowCompleted();
      checkTarget(ms, {
        firstExecutionRunId: request.firstExecutionRunId,
        childWorkflowOnly: req.childWorkflowOnly,
        externalWorkflowExecution: req.externalWorkflowExecution,
      });
      terminateRun(ms, request.reason, request.details, request.identity);
    });
    return {};
  };
}

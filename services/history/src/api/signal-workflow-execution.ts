import type { SignalWorkflowExecutionRequest, SignalWorkflowExecutionResponse } from '@tempora/proto/internal';
import type { DeepPartial } from '@tempora/rpc';
import type { HistoryContext } from '../context.js';
import { checkTarget, targetRun, workflowCompleted } from '../run-target.js';
import { recordSignal } from '../signals.js';

export function signalWorkflowExecution(ctx: HistoryContext) {
  return async (req: SignalWorkflowExecutionRequest): Promise<DeepPartial<SignalWorkflowExecutionResponse>> => {
    const request = req.request!;
    const execution = request.workflowExecution!;
    const engine = ctx.shards.engineFor(req.namespaceId, execution.workflowId);
    const key = await targetRun(engine, req.namespaceId, execution);
    await engine.executions.update(key, (ms) => {
      if (!ms.isRunning) throw workflowCompleted();
      checkTarget(ms, {
        childWorkflowOnly: req.childWorkflowOnly,
        externalWorkflowExecution: req.externalWorkflowExecution,
      });
      recordSignal(ms, {
        signalName: request.signalName,
        input: request.input,
        identity: request.identity,
        header: request.header,
        requestId: request.requestId,
        externalWorkflowExecution: req.externalWorkflowExecution,
      });
      ms.ensureWorkflowTask();
    });
    return {};
  };
}

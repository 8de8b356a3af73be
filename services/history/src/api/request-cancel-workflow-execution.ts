import { EventType } from '@tempora/proto/enums';
import type {
  RequestCancelWorkflowExecutionRequest,
  RequestCancelWorkflowExecutionResponse,
} from '@tempora/proto/internal';
import type { DeepPartial } from '@tempora/rpc';
import type { HistoryContext } from '../context.js';
import { checkTarget, targetRun } from '../run-target.js';

export function requestCancelWorkflowExecution(ctx: HistoryContext) {
  return async (
    req: RequestCancelWorkflowExecutionRequest,
  ): Promise<DeepPartial<RequestCancelWorkflowExecutionResponse>> => {
    const request = req.request!;
    const execution = request.workflowExecution!;
    const engine = ctx.shards.engineFor(req.namespaceId, execution.workflowId);
    const key = await targetRun(engine, req.namespaceId, execution, request.firstExecutionRunId);
    await engine.executions.update(key, (ms) => {
      // Canceling a closed run succeeds and does nothing, as does asking twice (upstream).
      if (!ms.isRunning) return;
      checkTarget(ms, {
        firstExecutionRunId: request.firstExecutionRunId,
        childWorkflowOnly: req.childWorkflowOnly,
        externalWorkflowExecution: req.externalWorkflowExecution,
      });
      if (ms.info.cancelRequested) return;
      ms.info.cancelRequested = true;
      ms.info.cancelRequestId = request.requestId;
      ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED, {
        workflowExecutionCancelRequestedEventAttributes: {
          cause: request.reason,
          externalInitiatedEventId: req.externalInitiatedEventId,
          externalWorkflowExecution: req.externalWorkflowExecution,
          identity: request.identity,
        },
      });
      ms.ensureWorkflowTask();
    });
    return {};
  };
}

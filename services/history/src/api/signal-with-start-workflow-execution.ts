import type {
  SignalWithStartWorkflowExecutionRequest,
  SignalWithStartWorkflowExecutionResponse,
} from '@tempora/proto/internal';
import type { DeepPartial } from '@tempora/rpc';
import type { HistoryContext } from '../context.js';
import { recordSignal, type SignalParams } from '../signals.js';
import { startWorkflow } from './start-workflow-execution.js';

/** Signals the running run of the workflow id, or starts one whose history begins with the signal. */
export function signalWithStartWorkflowExecution(ctx: HistoryContext) {
  return async ({
    namespaceId,
    request,
  }: SignalWithStartWorkflowExecutionRequest): Promise<DeepPartial<SignalWithStartWorkflowExecutionResponse>> => {
    const req = request!;
    const signal: SignalParams = {
      signalName: req.signalName,
      input: req.signalInput,
      identity: req.identity,
      header: req.header,
      requestId: req.requestId,
    };
    const engine = ctx.shards.engineFor(namespaceId, req.workflowId);
    const result = await startWorkflow(ctx, namespaceId, req, {
      onRunning: (current) =>
        engine.executions.update({ namespaceId, workflowId: req.workflowId, runId: current.runId }, (ms) => {
          if (!ms.isRunning) return undefined;
          recordSignal(ms, signal);
          ms.ensureWorkflowTask();
          return { runId: current.runId, started: false };
        }),
      beforeFirstWorkflowTask: (ms) => recordSignal(ms, { ...signal, requestId: '' }),
    });
    return { response: result };
  };
}

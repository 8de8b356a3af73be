import type { UpdateWorkflowExecutionRequest, UpdateWorkflowExecutionResponse } from '@tempora/proto/internal';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { HistoryContext } from '../context.js';
import { runKeyString } from '../execution-manager.js';
import { admitUpdate, awaitUpdateStage, type UpdateHandle } from '../updates/admission.js';

export function updateWorkflowExecution(ctx: HistoryContext) {
  return async (
    { namespaceId, request }: UpdateWorkflowExecutionRequest,
    call: CallContext,
  ): Promise<DeepPartial<UpdateWorkflowExecutionResponse>> => {
    const req = request!;
    const workflowId = req.workflowExecution!.workflowId;
    const engine = ctx.shards.engineFor(namespaceId, workflowId);
    const runId = await engine.executions.resolveRunId(namespaceId, workflowId, req.workflowExecution!.runId);
    const key = { namespaceId, workflowId, runId };
    let handle: UpdateHandle | undefined;
    try {
      handle = await engine.executions.update(key, (ms) => (handle = admitUpdate(ctx.updates, ms, key, req)));
    } catch (err) {
      // The transaction that admitted the update did not commit: nothing will carry it to the worker.
      if (handle && 'entry' in handle && handle.created) ctx.updates.remove(runKeyString(key), handle.entry);
      throw err;
    }
    const stage = req.waitPolicy!.lifecycleStage;
    return {
      response: await awaitUpdateStage(
        engine,
        handle,
        key,
        req.request!.meta!.updateId,
        stage,
        call.deadline,
        call.signal,
      ),
    };
  };
}

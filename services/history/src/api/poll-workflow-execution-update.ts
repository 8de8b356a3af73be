import type { PollWorkflowExecutionUpdateRequest, PollWorkflowExecutionUpdateResponse } from '@tempora/proto/internal';
import { notFound, type CallContext, type DeepPartial } from '@tempora/rpc';
import type { HistoryContext } from '../context.js';
import { runKeyString } from '../execution-manager.js';
import { acceptedUpdateCompletedWorkflowFailure, awaitUpdateStage, type UpdateHandle } from '../updates/admission.js';

/** Waits (bounded) for an existing update to reach the requested stage; never admits one. */
export function pollWorkflowExecutionUpdate(ctx: HistoryContext) {
  return async (
    { namespaceId, request }: PollWorkflowExecutionUpdateRequest,
    call: CallContext,
  ): Promise<DeepPartial<PollWorkflowExecutionUpdateResponse>> => {
    const ref = request!.updateRef!;
    const workflowId = ref.workflowExecution!.workflowId;
    const engine = ctx.shards.engineFor(namespaceId, workflowId);
    const runId = await engine.executions.resolveRunId(namespaceId, workflowId, ref.workflowExecution!.runId);
    const key = { namespaceId, workflowId, runId };
    const handle = await engine.executions.read(key, (ms): UpdateHandle => {
      const persisted = ms.state.updates[ref.updateId];
      if (persisted?.completedEventId) return { outcome: persisted.outcome! };
      if (persisted && !ms.isRunning) return { outcome: { failure: acceptedUpdateCompletedWorkflowFailure() } };
      if (persisted) return { entry: ctx.updates.acceptedEntry(runKeyString(key), ref.updateId), created: false };
      const entry = ctx.updates.find(runKeyString(key), ref.updateId);
      if (!entry) throw notFound(`update "${ref.updateId}" not found`);
      return { entry, created: false };
    });
    const response = await awaitUpdateStage(
      engine,
      handle,
      key,
      ref.updateId,
      request!.waitPolicy?.lifecycleStage ?? 0,
      call.deadline,
      call.signal,
    );
    return { response: { outcome: response.outcome, stage: response.stage, updateRef: response.updateRef } };
  };
}

import { WorkflowExecutionStatus, WorkflowIdConflictPolicy } from '@tempora/proto/enums';
import type {
  UpdateWithStartWorkflowExecutionRequest,
  UpdateWithStartWorkflowExecutionResponse,
} from '@tempora/proto/internal';
import { unavailable, type CallContext, type DeepPartial } from '@tempora/rpc';
import type { HistoryContext } from '../context.js';
import { runKeyString, type RunKey } from '../execution-manager.js';
import { admitUpdate, awaitUpdateStage, type UpdateHandle } from '../updates/admission.js';
import { updateWithStartFailed } from '../updates/multi-operation-errors.js';
import type { UpdateEntry } from '../updates/update-registry.js';
import { startWorkflow } from './start-workflow-execution.js';

/**
 * Update-with-start (upstream api/multioperation): a running workflow that the start may reuse (same request id,
 * the update already known, or conflict policy USE_EXISTING) gets the update; otherwise a new run is started with
 * the update admitted before it is written, so its first workflow task carries the update.
 */
export function updateWithStartWorkflowExecution(ctx: HistoryContext) {
  return async (
    { namespaceId, startRequest, updateRequest }: UpdateWithStartWorkflowExecutionRequest,
    call: CallContext,
  ): Promise<DeepPartial<UpdateWithStartWorkflowExecutionResponse>> => {
    const start = startRequest!;
    const update = updateRequest!;
    const updateId = update.request!.meta!.updateId;
    const stage = update.waitPolicy!.lifecycleStage;
    const engine = ctx.shards.engineFor(namespaceId, start.workflowId);
    const awaitStage = async (handle: UpdateHandle, key: RunKey, started: boolean) => {
      try {
        return await awaitUpdateStage(engine, handle, key, updateId, stage, call.deadline, call.signal);
      } catch (err) {
        throw updateWithStartFailed({ update: err, startSucceeded: started });
      }
    };

    const current = await engine.executions.getCurrent(namespaceId, start.workflowId);
    if (current) {
      const key = { namespaceId, workflowId: start.workflowId, runId: current.runId };
      let handle: UpdateHandle | undefined;
      try {
        handle = await engine.executions.update(key, (ms): UpdateHandle | undefined => {
          const persisted = ms.state.updates[updateId];
          if (persisted?.completedEventId) return { outcome: persisted.outcome! };
          const reuse =
            ms.info.createRequestId === start.requestId ||
            ctx.updates.find(runKeyString(key), updateId) !== undefined ||
            start.workflowIdConflictPolicy === WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING;
          return ms.isRunning && reuse ? (handle = admitUpdate(ctx.updates, ms, key, update)) : undefined;
        });
      } catch (err) {
        if (handle && 'entry' in handle && handle.created) ctx.updates.remove(runKeyString(key), handle.entry);
        throw updateWithStartFailed({ update: err, startSucceeded: false });
      }
      if (handle) {
        const startResponse = {
          runId: current.runId,
          started: false,
          status: WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
        };
        return { startResponse, updateResponse: await awaitStage(handle, key, false) };
      }
    }

    let admitted: { key: RunKey; entry: UpdateEntry } | undefined;
    const forget = () => admitted && ctx.updates.remove(runKeyString(admitted.key), admitted.entry);
    const admitIntoNewRun = (ms: Parameters<typeof admitUpdate>[1]) => {
      forget();
      const key = { namespaceId, workflowId: ms.info.workflowId, runId: ms.info.runId };
      admitted = { key, entry: ctx.updates.admit(runKeyString(key), update.request!) };
    };
    let started;
    try {
      started = await startWorkflow(ctx, namespaceId, start, { beforeFirstWorkflowTask: admitIntoNewRun });
    } catch (err) {
      forget();
      throw updateWithStartFailed({ start: err });
    }
    const runId = started.runId;
    if (!admitted || admitted.key.runId !== runId) {
      // Another start won the race between the check above and this start: retrying sees the running workflow.
      forget();
      throw updateWithStartFailed({ start: unavailable('Workflow was not started: another start created it first.') });
    }
    return {
      startResponse: { ...started, status: WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING },
      updateResponse: await awaitStage({ entry: admitted.entry, created: true }, admitted.key, true),
    };
  };
}

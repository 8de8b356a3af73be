// Admitting an update to a run and answering its caller (upstream api/updateworkflow): dedupe by update id against
// mutable state (accepted/completed) and the registry (admitted), a speculative workflow task when none is pending,
// then a wait for the requested stage bounded by a soft timeout, after which the stage reached so far is returned.
import { Failure } from '@tempora/proto/failure';
import type { Outcome } from '@tempora/proto/update';
import type { UpdateWorkflowExecutionRequest, UpdateWorkflowExecutionResponse } from '@tempora/proto/workflowservice';
import { ResourceExhaustedCause, ResourceExhaustedScope, WorkflowExecutionStatus } from '@tempora/proto/enums';
import { Code, RpcError, notFound, resourceExhausted, workflowNotReady, type DeepPartial } from '@tempora/rpc';
import { runKeyString, type RunKey } from '../execution-manager.js';
import type { MutableState } from '../mutable-state.js';
import type { ShardEngine } from '../shard-controller.js';
import { Stage, type UpdateEntry, type UpdateRegistry } from './update-registry.js';

/** Upstream's failUpdateWorkflowTaskAttemptCount. */
const FAILING_WORKFLOW_TASK_ATTEMPT = 3;
/** Upstream's LongPollExpirationInterval: the longest an update call waits before answering with its stage. */
const SOFT_TIMEOUT_MS = 20_000;

export const acceptedUpdateCompletedWorkflowFailure = (): Failure =>
  Failure.fromPartial({
    message: 'Workflow Update failed because the Workflow completed before the Update completed.',
    source: 'Server',
    applicationFailureInfo: { type: 'AcceptedUpdateCompletedWorkflow', nonRetryable: true },
  });

/** An update as a caller sees it: finished with an outcome, or an entry to wait on. */
export type UpdateHandle = { outcome: Outcome } | { entry: UpdateEntry; created: boolean };

/**
 * Finds or admits the update on the run, inside the run's transaction. Schedules a speculative workflow task when
 * the update needs the worker and no task is pending.
 */
export function admitUpdate(
  registry: UpdateRegistry,
  ms: MutableState,
  key: RunKey,
  req: UpdateWorkflowExecutionRequest,
): UpdateHandle {
  const request = req.request!;
  const updateId = request.meta!.updateId;
  const runKey = runKeyString(key);
  if (req.firstExecutionRunId && ms.info.firstExecutionRunId !== req.firstExecutionRunId) {
    throw notFound('workflow execution not found');
  }
  const persisted = ms.state.updates[updateId];
  if (persisted?.completedEventId) return { outcome: persisted.outcome! };
  if (!ms.isRunning) {
    if (persisted) return { outcome: { failure: acceptedUpdateCompletedWorkflowFailure() } };
    throw notFound('workflow execution already completed');
  }
  if (persisted) return { entry: registry.acceptedEntry(runKey, updateId), created: false };
  if ((ms.workflowTask?.attempt ?? 0) >= FAILING_WORKFLOW_TASK_ATTEMPT) {
    throw workflowNotReady('Unable to perform workflow execution update due to Workflow Task in failed state.');
  }
  const existing = registry.find(runKey, updateId);
  const entry = existing ?? registry.admit(runKey, request);
  // A pending task carries the update when it starts; a started one is followed by a task for it on completion.
  if (!ms.workflowTask) ms.scheduleWorkflowTask(1, { speculative: true });
  return { entry, created: !existing };
}

/**
 * Waits for the stage and builds the response; an aborted update throws its error. As upstream, the wait ends at its
 * soft timeout (then the answer carries the stage reached) or at the caller's deadline (then the call fails
 * DEADLINE_EXCEEDED: an empty answer just before it would only make the caller poll again at once). A run closed by
 * something other than its own workflow task (terminate, cancel, timeout) ends the update too: accepted ones fail
 * with AcceptedUpdateCompletedWorkflow, the others are aborted.
 */
export async function awaitUpdateStage(
  engine: Pick<ShardEngine, 'executions' | 'notifier'>,
  handle: UpdateHandle,
  key: RunKey,
  updateId: string,
  stage: Stage,
  deadline: number,
  signal: AbortSignal,
): Promise<DeepPartial<UpdateWorkflowExecutionResponse>> {
  const updateRef = { workflowExecution: { workflowId: key.workflowId, runId: key.runId }, updateId };
  const completed = (outcome: Outcome) => ({
    updateRef,
    outcome,
    stage: Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED,
  });
  if ('outcome' in handle) return completed(handle.outcome);
  const entry = handle.entry;
  const softDeadline = Date.now() + SOFT_TIMEOUT_MS;
  const until = Math.min(softDeadline, deadline);
  while (entry.stage < stage && Date.now() < until && !signal.aborted) {
    const stop = new AbortController();
    const waitSignal = AbortSignal.any([signal, stop.signal]);
    await Promise.race([
      entry.waitFor(stage, until, waitSignal),
      engine.notifier.waitForChange(runKeyString(key), until, waitSignal),
    ]);
    stop.abort();
    // Let a completing workflow task wake its updates first: they then end with what the worker said.
    await new Promise((resolve) => setImmediate(resolve));
    if (entry.stage >= stage) break;
    const closed = await engine.executions.read(key, (ms) =>
      ms.isRunning
        ? undefined
        : {
            persisted: ms.state.updates[updateId],
            continued: ms.info.status === WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW,
          },
    );
    if (!closed || entry.stage >= stage) continue;
    entry.forget();
    if (closed.persisted?.completedEventId) return completed(closed.persisted.outcome!);
    if (closed.persisted || entry.accepted) return completed({ failure: acceptedUpdateCompletedWorkflowFailure() });
    throw closed.continued ? workflowClosingError() : notFound('workflow update was aborted by closing workflow');
  }
  if (entry.error) throw entry.error;
  if (entry.stage < stage && deadline < softDeadline && Date.now() >= deadline) {
    throw new RpcError(Code.DEADLINE_EXCEEDED, 'context deadline exceeded');
  }
  return { updateRef, outcome: entry.outcome, stage: entry.stage };
}

/** Retryable: the caller's retry lands on the run that continues the workflow. */
export const workflowClosingError = () =>
  resourceExhausted(
    'workflow operation can not be applied because workflow is closing',
    ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_BUSY_WORKFLOW,
    ResourceExhaustedScope.RESOURCE_EXHAUSTED_SCOPE_NAMESPACE,
  );

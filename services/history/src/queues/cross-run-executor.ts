// Transfer tasks that reach other runs through the history client (possibly on other shards or hosts): start a
// child, signal or cancel an external run, and on close report to the parent and apply the parent close policy.
// Each reads what it needs under the run's lock, calls out without holding it, then records the outcome.
import type { PersistenceStores } from '@tempora/persistence';
import {
  CancelExternalWorkflowExecutionFailedCause,
  SignalExternalWorkflowExecutionFailedCause,
  StartChildWorkflowExecutionFailedCause,
  ParentClosePolicy,
  WorkflowIdConflictPolicy,
} from '@tempora/proto/enums';
import type { HistoryServiceServer } from '@tempora/proto/internal';
import type {
  ChildExecutionInfo,
  CancelExternalExecution,
  CloseExecution,
  SignalExternalExecution,
  StartChildExecution,
} from '@tempora/proto/persistence';
import type { RpcClient } from '@tempora/rpc';
import { recordChildStartFailed, recordChildStarted } from '../children.js';
import type { ExecutionManager, RunKey } from '../execution-manager.js';
import {
  recordCancelExternalFailed,
  recordExternalCancelRequested,
  recordExternalSignaled,
  recordSignalExternalFailed,
} from '../external-commands.js';
import { readEvents } from '../history-reader.js';
import { HISTORY_SERVICE_IDENTITY, RESETTER_IDENTITY } from '../identity.js';
import type { NamespaceRegistry } from '@tempora/namespace';
import { isAlreadyExists, isInvalidArgument, isNotFound } from '../rpc-codes.js';
import { ignoreNotFound } from './not-found.js';

export interface CrossRunDeps {
  executions: ExecutionManager;
  history: RpcClient<HistoryServiceServer>;
  namespaces: NamespaceRegistry;
  stores: PersistenceStores;
  shardId: number;
}

export async function startChild(d: CrossRunDeps, key: RunKey, task: StartChildExecution): Promise<void> {
  const initiatedId = task.initiatedEventId;
  const pending = await d.executions
    .read(key, (ms) => {
      const child = ms.state.childExecutions[initiatedId];
      if (!ms.isRunning || !child || child.startedEventId !== 0) return undefined;
      return { child, root: ms.info.parent ? ms.info.rootExecution : { workflowId: key.workflowId, runId: key.runId } };
    })
    .catch(ignoreNotFound);
  if (!pending) return;
  const { child, root } = pending;
  const a = child.initiated!;
  let childRunId: string;
  try {
    const self = await d.namespaces.refById(key.namespaceId);
    const result = await d.history.startWorkflowExecution({
      namespaceId: child.namespaceId,
      request: {
        namespace: child.namespace,
        workflowId: a.workflowId,
        workflowType: a.workflowType,
        taskQueue: a.taskQueue,
        input: a.input,
        workflowExecutionTimeout: a.workflowExecutionTimeout,
        workflowRunTimeout: a.workflowRunTimeout,
        workflowTaskTimeout: a.workflowTaskTimeout,
        requestId: child.createRequestId,
        workflowIdReusePolicy: a.workflowIdReusePolicy,
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
        retryPolicy: a.retryPolicy,
        cronSchedule: a.cronSchedule,
        memo: a.memo,
        searchAttributes: a.searchAttributes,
        header: a.header,
        userMetadata: child.userMetadata,
      },
      parentExecutionInfo: {
        namespaceId: key.namespaceId,
        namespace: self.name,
        execution: { workflowId: key.workflowId, runId: key.runId },
        initiatedId,
      },
      rootExecution: root,
    });
    childRunId = result.response!.runId;
  } catch (err) {
    const cause = isAlreadyExists(err)
      ? StartChildWorkflowExecutionFailedCause.START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS
      : isNotFound(err)
        ? StartChildWorkflowExecutionFailedCause.START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_NAMESPACE_NOT_FOUND
        : undefined;
    if (cause === undefined) throw err;
    await d.executions
      .update(key, (ms) => {
        const current = ms.state.childExecutions[initiatedId];
        if (ms.isRunning && current && current.startedEventId === 0) recordChildStartFailed(ms, initiatedId, cause);
      })
      .catch(ignoreNotFound);
    return;
  }
  const childExecution = { workflowId: a.workflowId, runId: childRunId };
  const parentClosed = await d.executions
    .update(key, (ms) => {
      const current = ms.state.childExecutions[initiatedId];
      if (!ms.isRunning) return current;
      if (current && current.startedEventId === 0) recordChildStarted(ms, initiatedId, childExecution);
      return undefined;
    })
    .catch(ignoreNotFound);
  // The parent closed while its child was starting: the close policy it missed applies now.
  if (parentClosed) await applyParentClosePolicy(d, key, { ...parentClosed, startedRunId: childRunId });
}

export async function signalExternal(d: CrossRunDeps, key: RunKey, task: SignalExternalExecution): Promise<void> {
  const initiatedId = task.initiatedEventId;
  const info = await d.executions
    .read(key, (ms) => (ms.isRunning ? ms.state.signals[initiatedId] : undefined))
    .catch(ignoreNotFound);
  if (!info) return;
  const a = info.initiated!;
  let failure: SignalExternalWorkflowExecutionFailedCause | undefined;
  try {
    await d.history.signalWorkflowExecution({
      namespaceId: a.namespaceId,
      request: {
        namespace: a.namespace,
        workflowExecution: a.workflowExecution,
        identity: HISTORY_SERVICE_IDENTITY,
        signalName: a.signalName,
        input: a.input,
        requestId: info.requestId,
        control: a.control,
        header: a.header,
      },
      externalWorkflowExecution: { workflowId: key.workflowId, runId: key.runId },
      childWorkflowOnly: a.childWorkflowOnly,
    });
  } catch (err) {
    if (isNotFound(err))
      failure =
        SignalExternalWorkflowExecutionFailedCause.SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND;
    else if (isInvalidArgument(err))
      failure =
        SignalExternalWorkflowExecutionFailedCause.SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_SIGNAL_COUNT_LIMIT_EXCEEDED;
    else throw err;
  }
  await d.executions
    .update(key, (ms) => {
      if (!ms.isRunning || !ms.state.signals[initiatedId]) return;
      if (failure === undefined) recordExternalSignaled(ms, initiatedId);
      else recordSignalExternalFailed(ms, initiatedId, failure);
    })
    .catch(ignoreNotFound);
}

export async function cancelExternal(d: CrossRunDeps, key: RunKey, task: CancelExternalExecution): Promise<void> {
  const initiatedId = task.initiatedEventId;
  const info = await d.executions
    .read(key, (ms) => (ms.isRunning ? ms.state.requestCancels[initiatedId] : undefined))
    .catch(ignoreNotFound);
  if (!info) return;
  const a = info.initiated!;
  let failed = false;
  try {
    await d.history.requestCancelWorkflowExecution({
      namespaceId: a.namespaceId,
      request: {
        namespace: a.namespace,
        workflowExecution: a.workflowExecution,
        identity: HISTORY_SERVICE_IDENTITY,
        requestId: info.requestId,
        reason: a.reason,
      },
      externalInitiatedEventId: initiatedId,
      externalWorkflowExecution: { workflowId: key.workflowId, runId: key.runId },
      childWorkflowOnly: a.childWorkflowOnly,
    });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    failed = true;
  }
  await d.executions
    .update(key, (ms) => {
      if (!ms.isRunning || !ms.state.requestCancels[initiatedId]) return;
      if (failed) {
        recordCancelExternalFailed(
          ms,
          initiatedId,
          CancelExternalWorkflowExecutionFailedCause.CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND,
        );
      } else {
        recordExternalCancelRequested(ms, initiatedId);
      }
    })
    .catch(ignoreNotFound);
}

export async function closeExecution(d: CrossRunDeps, key: RunKey, task: CloseExecution): Promise<void> {
  const closed = await d.executions
    .read(key, (ms) =>
      ms.isRunning
        ? undefined
        : {
            parent: ms.info.newExecutionRunId ? undefined : ms.info.parent,
            completionEventId: ms.info.completionEventId,
            children: Object.values(ms.state.childExecutions),
          },
    )
    .catch(ignoreNotFound);
  if (!closed) return;
  if (closed.parent) {
    const [completionEvent] = await readEvents(
      d.stores,
      d.shardId,
      key.runId,
      closed.completionEventId,
      closed.completionEventId + 1,
    );
    // A child run replaced by a reset is not the child's end: the reset run reports when it closes.
    const replacedByReset = completionEvent?.workflowExecutionTerminatedEventAttributes?.identity === RESETTER_IDENTITY;
    if (!replacedByReset) {
      await d.history
        .recordChildExecutionCompleted({
          namespaceId: closed.parent.namespaceId,
          parentExecution: { workflowId: closed.parent.workflowId, runId: closed.parent.runId },
          parentInitiatedId: closed.parent.initiatedId,
          childExecution: { workflowId: key.workflowId, runId: key.runId },
          completionEvent,
        })
        .catch(ignoreNotFound);
    }
  }
  for (const child of closed.children) await applyParentClosePolicy(d, key, child);
  if (task.deleteAfterClose) await d.executions.delete(key);
}

async function applyParentClosePolicy(d: CrossRunDeps, parent: RunKey, child: ChildExecutionInfo): Promise<void> {
  if (!child.startedRunId) return; // never started: nothing to stop
  const target = {
    namespaceId: child.namespaceId,
    externalWorkflowExecution: { workflowId: parent.workflowId, runId: parent.runId },
    childWorkflowOnly: true,
  };
  // The run id of the child's first run lets the policy follow the child across continue-as-new.
  const execution = { workflowId: child.workflowId, runId: '' };
  switch (child.parentClosePolicy) {
    case ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE:
      await d.history
        .terminateWorkflowExecution({
          ...target,
          request: {
            namespace: child.namespace,
            workflowExecution: execution,
            firstExecutionRunId: child.startedRunId,
            reason: 'by parent close policy',
            identity: HISTORY_SERVICE_IDENTITY,
          },
        })
        .catch(ignoreNotFound);
      return;
    case ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL:
      await d.history
        .requestCancelWorkflowExecution({
          ...target,
          request: {
            namespace: child.namespace,
            workflowExecution: execution,
            firstExecutionRunId: child.startedRunId,
            identity: HISTORY_SERVICE_IDENTITY,
          },
        })
        .catch(ignoreNotFound);
      return;
    default:
      return; // abandon
  }
}

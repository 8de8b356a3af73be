// Child workflows on the parent's side: the StartChildWorkflowExecution command, the start recorded or failed by
// the transfer queue, and the child's result reported by the child's shard (upstream child workflow state machine).
import { randomUUID } from 'node:crypto';
import type { Command } from '@tempora/proto/command';
import type { WorkflowExecution } from '@tempora/proto/common';
import {
  EventType,
  type StartChildWorkflowExecutionFailedCause,
  TaskQueueKind,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
} from '@tempora/proto/enums';
import type { HistoryEvent } from '@tempora/proto/history';
import { ChildExecutionInfo } from '@tempora/proto/persistence';
import { notFound, workflowNotReady } from '@tempora/rpc';
import { BUFFERED_EVENT_ID } from './events.js';
import type { MutableState } from './mutable-state.js';
import type { NamespaceRef } from '@tempora/namespace';
import { normalizeWorkflowTimeouts } from './workflow-timeouts.js';

export function initiateChild(
  ms: MutableState,
  command: Command,
  completedEventId: number,
  target: NamespaceRef,
): void {
  const a = command.startChildWorkflowExecutionCommandAttributes!;
  const timeouts = normalizeWorkflowTimeouts(a.workflowExecutionTimeout, a.workflowRunTimeout, a.workflowTaskTimeout);
  const event = ms.addEvent(EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED, {
    userMetadata: command.userMetadata,
    startChildWorkflowExecutionInitiatedEventAttributes: {
      namespace: target.name,
      namespaceId: target.id,
      workflowId: a.workflowId,
      workflowType: a.workflowType,
      taskQueue: { name: a.taskQueue?.name || ms.info.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      input: a.input,
      workflowExecutionTimeout: timeouts.execution,
      workflowRunTimeout: timeouts.run,
      workflowTaskTimeout: timeouts.task,
      parentClosePolicy: a.parentClosePolicy || ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE,
      control: a.control,
      workflowTaskCompletedEventId: completedEventId,
      workflowIdReusePolicy: a.workflowIdReusePolicy || WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
      retryPolicy: a.retryPolicy,
      cronSchedule: a.cronSchedule,
      header: a.header,
      memo: a.memo,
      searchAttributes: a.searchAttributes,
      inheritBuildId: a.inheritBuildId,
      priority: a.priority,
    },
  });
  const initiated = event.startChildWorkflowExecutionInitiatedEventAttributes!;
  ms.state.childExecutions[event.eventId] = ChildExecutionInfo.fromPartial({
    initiatedEventId: event.eventId,
    namespace: target.name,
    namespaceId: target.id,
    workflowId: a.workflowId,
    workflowType: a.workflowType?.name ?? '',
    createRequestId: randomUUID(),
    parentClosePolicy: initiated.parentClosePolicy,
    initiated,
    userMetadata: command.userMetadata,
  });
  ms.addTransferTask({ startChild: { initiatedEventId: event.eventId } });
}

export function recordChildStarted(ms: MutableState, initiatedEventId: number, child: WorkflowExecution): void {
  const info = ms.state.childExecutions[initiatedEventId]!;
  const event = ms.addEvent(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED, {
    childWorkflowExecutionStartedEventAttributes: {
      namespace: info.namespace,
      namespaceId: info.namespaceId,
      initiatedEventId,
      workflowExecution: child,
      workflowType: { name: info.workflowType },
      header: info.initiated?.header,
    },
  });
  info.startedEventId = event.eventId || BUFFERED_EVENT_ID;
  info.startedRunId = child.runId;
  ms.ensureWorkflowTask();
}

export function recordChildStartFailed(
  ms: MutableState,
  initiatedEventId: number,
  cause: StartChildWorkflowExecutionFailedCause,
): void {
  const info = ms.state.childExecutions[initiatedEventId]!;
  ms.addEvent(EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED, {
    startChildWorkflowExecutionFailedEventAttributes: {
      namespace: info.namespace,
      namespaceId: info.namespaceId,
      workflowId: info.workflowId,
      workflowType: { name: info.workflowType },
      cause,
      control: info.initiated?.control ?? '',
      initiatedEventId,
      workflowTaskCompletedEventId: info.initiated?.workflowTaskCompletedEventId ?? 0,
    },
  });
  delete ms.state.childExecutions[initiatedEventId];
  ms.ensureWorkflowTask();
}

/** Records the child's close event on the parent as the matching ChildWorkflowExecution* event. */
export function recordChildClosed(
  ms: MutableState,
  initiatedEventId: number,
  child: WorkflowExecution,
  close: HistoryEvent,
): void {
  const info = ms.state.childExecutions[initiatedEventId];
  if (!info || info.workflowId !== child.workflowId) throw notFound('Pending child execution not found.');
  // The child can finish before the parent recorded its start; the child's shard retries until it has.
  if (info.startedEventId === 0) throw workflowNotReady('Pending child execution not started yet.');
  const common = {
    namespace: info.namespace,
    namespaceId: info.namespaceId,
    workflowExecution: child,
    workflowType: { name: info.workflowType },
    initiatedEventId,
    startedEventId: info.startedEventId,
  };
  if (close.workflowExecutionCompletedEventAttributes) {
    ms.addEvent(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED, {
      childWorkflowExecutionCompletedEventAttributes: {
        ...common,
        result: close.workflowExecutionCompletedEventAttributes.result,
      },
    });
  } else if (close.workflowExecutionFailedEventAttributes) {
    const failed = close.workflowExecutionFailedEventAttributes;
    ms.addEvent(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED, {
      childWorkflowExecutionFailedEventAttributes: {
        ...common,
        failure: failed.failure,
        retryState: failed.retryState,
      },
    });
  } else if (close.workflowExecutionCanceledEventAttributes) {
    ms.addEvent(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED, {
      childWorkflowExecutionCanceledEventAttributes: {
        ...common,
        details: close.workflowExecutionCanceledEventAttributes.details,
      },
    });
  } else if (close.workflowExecutionTerminatedEventAttributes) {
    ms.addEvent(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED, {
      childWorkflowExecutionTerminatedEventAttributes: common,
    });
  } else if (close.workflowExecutionTimedOutEventAttributes) {
    ms.addEvent(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT, {
      childWorkflowExecutionTimedOutEventAttributes: {
        ...common,
        retryState: close.workflowExecutionTimedOutEventAttributes.retryState,
      },
    });
  } else {
    throw notFound(`Unexpected child close event ${EventType[close.eventType]}.`);
  }
  delete ms.state.childExecutions[initiatedEventId];
  ms.ensureWorkflowTask();
}

// SignalExternalWorkflowExecution and RequestCancelExternalWorkflowExecution on the caller's side: the command's
// initiated event, then the outcome the transfer queue records once the target answered.
import { randomUUID } from 'node:crypto';
import type { Command } from '@tempora/proto/command';
import type { WorkflowExecution } from '@tempora/proto/common';
import {
  EventType,
  type CancelExternalWorkflowExecutionFailedCause,
  type SignalExternalWorkflowExecutionFailedCause,
} from '@tempora/proto/enums';
import { RequestCancelInfo, SignalInfo } from '@tempora/proto/persistence';
import type { MutableState } from './mutable-state.js';
import type { NamespaceRef } from '@tempora/namespace';

export function initiateSignalExternal(
  ms: MutableState,
  command: Command,
  completedEventId: number,
  target: NamespaceRef,
): void {
  const a = command.signalExternalWorkflowExecutionCommandAttributes!;
  const event = ms.addEvent(EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED, {
    userMetadata: command.userMetadata,
    signalExternalWorkflowExecutionInitiatedEventAttributes: {
      workflowTaskCompletedEventId: completedEventId,
      namespace: target.name,
      namespaceId: target.id,
      workflowExecution: a.execution,
      signalName: a.signalName,
      input: a.input,
      control: a.control,
      childWorkflowOnly: a.childWorkflowOnly,
      header: a.header,
    },
  });
  ms.state.signals[event.eventId] = SignalInfo.fromPartial({
    initiatedEventId: event.eventId,
    requestId: randomUUID(),
    initiated: event.signalExternalWorkflowExecutionInitiatedEventAttributes,
  });
  ms.addTransferTask({ signalExternal: { initiatedEventId: event.eventId } });
}

export function initiateCancelExternal(
  ms: MutableState,
  command: Command,
  completedEventId: number,
  target: NamespaceRef,
): void {
  const a = command.requestCancelExternalWorkflowExecutionCommandAttributes!;
  const event = ms.addEvent(EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED, {
    requestCancelExternalWorkflowExecutionInitiatedEventAttributes: {
      workflowTaskCompletedEventId: completedEventId,
      namespace: target.name,
      namespaceId: target.id,
      workflowExecution: { workflowId: a.workflowId, runId: a.runId },
      control: a.control,
      childWorkflowOnly: a.childWorkflowOnly,
      reason: a.reason,
    },
  });
  ms.state.requestCancels[event.eventId] = RequestCancelInfo.fromPartial({
    initiatedEventId: event.eventId,
    requestId: randomUUID(),
    initiated: event.requestCancelExternalWorkflowExecutionInitiatedEventAttributes,
  });
  ms.addTransferTask({ cancelExternal: { initiatedEventId: event.eventId } });
}

/** What every outcome event of an external signal or cancel repeats from its initiated event. */
function outcomeOf(
  initiated: { namespace: string; namespaceId: string; workflowExecution?: WorkflowExecution },
  initiatedEventId: number,
) {
  return {
    initiatedEventId,
    namespace: initiated.namespace,
    namespaceId: initiated.namespaceId,
    workflowExecution: initiated.workflowExecution,
  };
}

/** A failed outcome also names the cause and the task that issued the command. */
function failureOf(
  initiated: {
    namespace: string;
    namespaceId: string;
    workflowExecution?: WorkflowExecution;
    workflowTaskCompletedEventId: number;
    control: string;
  },
  initiatedEventId: number,
) {
  return {
    ...outcomeOf(initiated, initiatedEventId),
    workflowTaskCompletedEventId: initiated.workflowTaskCompletedEventId,
    control: initiated.control,
  };
}

export function recordExternalSignaled(ms: MutableState, initiatedEventId: number): void {
  const initiated = ms.state.signals[initiatedEventId]!.initiated!;
  ms.addEvent(EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED, {
    externalWorkflowExecutionSignaledEventAttributes: {
      ...outcomeOf(initiated, initiatedEventId),
      control: initiated.control,
    },
  });
  delete ms.state.signals[initiatedEventId];
  ms.ensureWorkflowTask();
}

export function recordSignalExternalFailed(
  ms: MutableState,
  initiatedEventId: number,
  cause: SignalExternalWorkflowExecutionFailedCause,
): void {
  const initiated = ms.state.signals[initiatedEventId]!.initiated!;
  ms.addEvent(EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED, {
    signalExternalWorkflowExecutionFailedEventAttributes: { ...failureOf(initiated, initiatedEventId), cause },
  });
  delete ms.state.signals[initiatedEventId];
  ms.ensureWorkflowTask();
}

export function recordExternalCancelRequested(ms: MutableState, initiatedEventId: number): void {
  const initiated = ms.state.requestCancels[initiatedEventId]!.initiated!;
  ms.addEvent(EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED, {
    externalWorkflowExecutionCancelRequestedEventAttributes: outcomeOf(initiated, initiatedEventId),
  });
  delete ms.state.requestCancels[initiatedEventId];
  ms.ensureWorkflowTask();
}

export function recordCancelExternalFailed(
  ms: MutableState,
  initiatedEventId: number,
  cause: CancelExternalWorkflowExecutionFailedCause,
): void {
  const initiated = ms.state.requestCancels[initiatedEventId]!.initiated!;
  ms.addEvent(EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED, {
    requestCancelExternalWorkflowExecutionFailedEventAttributes: { ...failureOf(initiated, initiatedEventId), cause },
  });
  delete ms.state.requestCancels[initiatedEventId];
  ms.ensureWorkflowTask();
}

// Recording a signal on a run: SignalWorkflowExecution, SignalWithStart and the SignalExternal command's delivery.
import type { Header, Payloads, WorkflowExecution } from '@tempora/proto/common';
import { EventType } from '@tempora/proto/enums';
import { invalidArgument } from '@tempora/rpc';
import type { MutableState } from './mutable-state.js';

/** Upstream history.maximumSignalsPerExecution. */
export const MAX_SIGNALS_PER_EXECUTION = 10_000;

export interface SignalParams {
  signalName: string;
  input?: Payloads;
  identity: string;
  header?: Header;
  requestId: string;
  externalWorkflowExecution?: WorkflowExecution;
}

/** Adds the Signaled event (callers schedule the workflow task); a request id seen before records nothing. */
export function recordSignal(ms: MutableState, p: SignalParams): void {
  if (p.requestId && ms.info.signalRequestIds.includes(p.requestId)) return;
  if (ms.info.signalCount >= MAX_SIGNALS_PER_EXECUTION)
    throw invalidArgument('exceeded workflow execution limit for signal events');
  if (p.requestId) ms.info.signalRequestIds.push(p.requestId);
  ms.info.signalCount++;
  ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, {
    workflowExecutionSignaledEventAttributes: {
      signalName: p.signalName,
      input: p.input,
      identity: p.identity,
      header: p.header,
      externalWorkflowExecution: p.externalWorkflowExecution,
    },
  });
}

// Closing a run from outside a workflow task (terminate, timeouts): the started workflow task, if any, is failed
// first and the buffer flushed, so history never ends with a dangling task (upstream does the same).
import { EventType, WorkflowTaskFailedCause, WorkflowExecutionStatus } from '@tempora/proto/enums';
import type { Payloads } from '@tempora/proto/common';
import type { MutableState } from './mutable-state.js';
import { writeTransientWorkflowTaskEvents } from './workflow-task-events.js';

export function failStartedWorkflowTaskForClose(ms: MutableState, identity: string): void {
  const task = ms.workflowTask;
  if (task && task.startedEventId !== 0) {
    writeTransientWorkflowTaskEvents(ms);
    ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, {
      workflowTaskFailedEventAttributes: {
        scheduledEventId: task.scheduledEventId,
        startedEventId: task.startedEventId,
        cause: WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND,
        identity,
      },
    });
  }
  ms.clearWorkflowTask();
  ms.flushBufferedEvents();
}

export function terminateRun(ms: MutableState, reason: string, details: Payloads | undefined, identity: string): void {
  failStartedWorkflowTaskForClose(ms, identity);
  const event = ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED, {
    workflowExecutionTerminatedEventAttributes: { reason, details, identity },
  });
  markRunClosed(ms, event.eventId, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED);
}

/** Points the run at its close event and gives it its closed status. */
export function markRunClosed(ms: MutableState, closeEventId: number, status: WorkflowExecutionStatus): void {
  ms.info.completionEventId = closeEventId;
  ms.setStatus(status);
}

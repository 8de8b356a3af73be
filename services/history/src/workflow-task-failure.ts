// Failing or timing out a workflow task, and scheduling its retry. Only the first failure of a run of retries is
// written; retries are transient (attempt > 1, no events) until one completes. Buffered events make the retry an
// ordinary task again, with attempt 1.
import { EventType, type WorkflowTaskFailedCause, type TimeoutType } from '@tempora/proto/enums';
import type { Failure } from '@tempora/proto/failure';
import { WorkflowTaskType } from '@tempora/proto/persistence';
import type { MutableState } from './mutable-state.js';
import { writeTransientWorkflowTaskEvents } from './workflow-task-events.js';

export interface WorkflowTaskFailure {
  cause: WorkflowTaskFailedCause;
  failure?: Failure;
  identity: string;
  binaryChecksum?: string;
}

export function failWorkflowTask(ms: MutableState, failure: WorkflowTaskFailure): void {
  writeSpeculativeWorkflowTaskEvents(ms);
  const task = ms.workflowTask!;
  if (task.type !== WorkflowTaskType.WORKFLOW_TASK_TYPE_TRANSIENT) {
    ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, {
      workflowTaskFailedEventAttributes: {
        scheduledEventId: task.scheduledEventId,
        startedEventId: task.startedEventId,
        cause: failure.cause,
        failure: failure.failure,
        identity: failure.identity,
        binaryChecksum: failure.binaryChecksum ?? '',
      },
    });
  }
  retryWorkflowTask(ms, task.attempt + 1);
}

export function timeOutWorkflowTask(
  ms: MutableState,
  timeoutType: TimeoutType,
  options: { keepAttempt: boolean },
): void {
  writeSpeculativeWorkflowTaskEvents(ms);
  const task = ms.workflowTask!;
  if (task.type !== WorkflowTaskType.WORKFLOW_TASK_TYPE_TRANSIENT) {
    ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, {
      workflowTaskTimedOutEventAttributes: {
        scheduledEventId: task.scheduledEventId,
        startedEventId: task.startedEventId,
        timeoutType,
      },
    });
  }
  retryWorkflowTask(ms, options.keepAttempt ? task.attempt : task.attempt + 1);
}

/** A failed sticky task clears stickiness: the retry goes to the normal queue. */
function retryWorkflowTask(ms: MutableState, nextAttempt: number): void {
  ms.clearStickyness();
  ms.clearWorkflowTask();
  const hadBufferedEvents = ms.hasBufferedEvents;
  ms.flushBufferedEvents();
  ms.scheduleWorkflowTask(hadBufferedEvents ? 1 : nextAttempt, { forceNormalQueue: true });
}

/** A speculative task that fails or times out is written like an ordinary one (upstream converts it to normal). */
function writeSpeculativeWorkflowTaskEvents(ms: MutableState): void {
  if (ms.workflowTask?.type === WorkflowTaskType.WORKFLOW_TASK_TYPE_SPECULATIVE) writeTransientWorkflowTaskEvents(ms);
}

import { EventType, TaskQueueKind } from '@tempora/proto/enums';
import { WorkflowTaskType } from '@tempora/proto/persistence';
import { HistoryEvent } from '@tempora/proto/history';
import type { MutableState } from './mutable-state.js';

/** The scheduled and started events of a transient or speculative task, shown to the worker before they are written. */
export function transientWorkflowTaskEvents(ms: MutableState): HistoryEvent[] {
  const task = ms.workflowTask;
  if (!task || task.type === WorkflowTaskType.WORKFLOW_TASK_TYPE_NORMAL) return [];
  const taskQueue = {
    name: task.taskQueue,
    kind: task.taskQueueKind,
    normalName: task.taskQueueKind === TaskQueueKind.TASK_QUEUE_KIND_STICKY ? ms.info.taskQueue : '',
  };
  const events = [
    HistoryEvent.fromPartial({
      eventId: task.scheduledEventId,
      eventTime: task.scheduledTime,
      eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
      workflowTaskScheduledEventAttributes: {
        taskQueue,
        startToCloseTimeout: task.startToCloseTimeout,
        attempt: task.attempt,
      },
    }),
  ];
  if (task.startedEventId !== 0) {
    events.push(
      HistoryEvent.fromPartial({
        eventId: task.startedEventId,
        eventTime: task.startedTime,
        eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
        workflowTaskStartedEventAttributes: {
          scheduledEventId: task.scheduledEventId,
          identity: task.identity,
          requestId: task.requestId,
          historySizeBytes: task.historySizeBytes,
          suggestContinueAsNew: task.suggestContinueAsNewReasons.length > 0,
          suggestContinueAsNewReasons: task.suggestContinueAsNewReasons,
        },
      }),
    );
  }
  return events;
}

/**
 * Writes a transient or speculative task's scheduled/started events for real (when it completes, fails or times
 * out), keeping the
 * ids the worker saw. The task becomes an ordinary one.
 */
export function writeTransientWorkflowTaskEvents(ms: MutableState): void {
  const task = ms.workflowTask;
  if (!task || task.type === WorkflowTaskType.WORKFLOW_TASK_TYPE_NORMAL) return;
  for (const event of transientWorkflowTaskEvents(ms)) {
    const { eventType, eventTime, eventId: _id, ...attributes } = event;
    // Keep the times the worker saw: the started time is its workflow clock.
    ms.addEvent(eventType, attributes).eventTime = eventTime;
  }
  task.type = WorkflowTaskType.WORKFLOW_TASK_TYPE_NORMAL;
}

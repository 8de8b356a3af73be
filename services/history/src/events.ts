// Event ids and attribute lookups shared by mutable state, the command handlers and reset. A leaf: it imports no
// other history module, so anything may import it without forming a cycle.
import type { HistoryEvent } from '@tempora/proto/history';

/** Marks a child whose ChildWorkflowExecutionStarted event is still buffered (its id comes with the flush). */
export const BUFFERED_EVENT_ID = -1;

/** The attributes of an activity's closing event (completed, failed, timed out, canceled), if it is one. */
export function activityResultAttributes(
  event: HistoryEvent,
): { scheduledEventId: number; startedEventId: number } | undefined {
  return (
    event.activityTaskCompletedEventAttributes ??
    event.activityTaskFailedEventAttributes ??
    event.activityTaskTimedOutEventAttributes ??
    event.activityTaskCanceledEventAttributes
  );
}

/** The attributes of a child's result event (completed, failed, canceled, terminated, timed out), if it is one. */
export function childResultAttributes(
  event: HistoryEvent,
): { initiatedEventId: number; startedEventId: number } | undefined {
  return (
    event.childWorkflowExecutionCompletedEventAttributes ??
    event.childWorkflowExecutionFailedEventAttributes ??
    event.childWorkflowExecutionCanceledEventAttributes ??
    event.childWorkflowExecutionTerminatedEventAttributes ??
    event.childWorkflowExecutionTimedOutEventAttributes
  );
}

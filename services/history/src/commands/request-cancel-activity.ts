// RequestCancelActivityTask: an activity not started yet is canceled at once, a started one is asked to stop.
import { EventType, WorkflowTaskFailedCause } from '@tempora/proto/enums';
import type { HistoryEvent } from '@tempora/proto/history';
import { CommandValidationError, invalidHistoryAction, type CommandHandler } from './command-handler.js';

export const requestCancelActivity: CommandHandler = {
  validate(command, { ms, activityCancels }) {
    const a = command.requestCancelActivityTaskCommandAttributes;
    const cause = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES;
    if (!a) {
      throw new CommandValidationError(
        cause,
        'RequestCancelActivityTaskCommandAttributes is not set on RequestCancelActivityTaskCommand.',
      );
    }
    const { scheduledEventId } = a;
    if (scheduledEventId <= 0) {
      throw new CommandValidationError(cause, 'ScheduledEventId is not set on RequestCancelActivityTaskCommand.');
    }
    // As upstream: the activity must be pending and not asked to cancel yet, or have finished while the task ran (its
    // result still buffered, or canceled at once by an earlier command of this task).
    const earlier = activityCancels.get(scheduledEventId);
    const activity = ms.state.activities[scheduledEventId];
    if (activity && earlier === undefined && !activity.cancelRequested) {
      activityCancels.set(scheduledEventId, activity.startedEventId === 0 ? 'canceled' : 'requested');
      return;
    }
    if (earlier === 'canceled' || (!activity && ms.state.bufferedEvents.some((e) => finishes(e, scheduledEventId)))) {
      return;
    }
    throw new CommandValidationError(
      cause,
      invalidHistoryAction('add-activitytask-cancel-requested-event', `ScheduledEventID: ${scheduledEventId}`),
    );
  },

  apply(command, { ms, completedEventId, identity }) {
    const scheduledEventId = command.requestCancelActivityTaskCommandAttributes!.scheduledEventId;
    const activity = ms.state.activities[scheduledEventId];
    const requested = ms.addEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED, {
      activityTaskCancelRequestedEventAttributes: { scheduledEventId, workflowTaskCompletedEventId: completedEventId },
    });
    if (!activity) return;
    if (activity.startedEventId === 0) {
      // Not running anywhere: canceled at once. Like every result produced while the task's commands apply, it is
      // buffered: written after the command events (with a new workflow task to see it), or dropped when the run
      // closes in this task.
      ms.bufferEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED, {
        activityTaskCanceledEventAttributes: {
          scheduledEventId,
          startedEventId: 0,
          latestCancelRequestedEventId: requested.eventId,
          identity,
        },
      });
      delete ms.state.activities[scheduledEventId];
      return;
    }
    activity.cancelRequested = true;
    activity.cancelRequestEventId = requested.eventId;
  },
};

/** A result of the activity (completed, failed, timed out, canceled). */
function finishes(e: HistoryEvent, scheduledEventId: number): boolean {
  const result =
    e.activityTaskCompletedEventAttributes ??
    e.activityTaskFailedEventAttributes ??
    e.activityTaskTimedOutEventAttributes ??
    e.activityTaskCanceledEventAttributes;
  return result?.scheduledEventId === scheduledEventId;
}

// RequestCancelActivityTask: an activity not started yet is canceled at once, a started one is asked to stop.
import { EventType, WorkflowTaskFailedCause } from '@tempora/proto/enums';
import { CommandValidationError, type CommandHandler } from './command-handler.js';

export const requestCancelActivity: CommandHandler = {
  validate(command) {
    if ((command.requestCancelActivityTaskCommandAttributes?.scheduledEventId ?? 0) <= 0) {
      throw new CommandValidationError(
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES,
        'ScheduledEventId is not set on RequestCancelActivityTaskCommand.',
      );
    }
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

// ScheduleActivityTask: the ActivityTaskScheduled event, the pending activity, and its first attempt dispatched.
import { durationToMs, msToDuration } from '@tempora/common';
import { EventType, WorkflowTaskFailedCause, TaskQueueKind } from '@tempora/proto/enums';
import { ActivityInfo } from '@tempora/proto/persistence';
import { dispatchActivityAttempt } from '../activities.js';
import { withRetryDefaults } from '../retry.js';
import { CommandValidationError, MAX_ID_LENGTH, badDuration, type CommandHandler } from './command-handler.js';

export const scheduleActivity: CommandHandler = {
  validate(command, { activityIds }) {
    const a = command.scheduleActivityTaskCommandAttributes;
    const cause = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES;
    if (!a)
      throw new CommandValidationError(
        cause,
        'ScheduleActivityTaskCommandAttributes is not set on ScheduleActivityTaskCommand.',
      );
    if (!a.activityId) throw new CommandValidationError(cause, 'ActivityId is not set on ScheduleActivityTaskCommand.');
    if (!a.activityType?.name)
      throw new CommandValidationError(cause, 'ActivityType is not set on ScheduleActivityTaskCommand.');
    if (a.activityId.length > MAX_ID_LENGTH)
      throw new CommandValidationError(cause, 'ActivityID exceeds length limit.');
    if (
      [a.scheduleToCloseTimeout, a.scheduleToStartTimeout, a.startToCloseTimeout, a.heartbeatTimeout].some(badDuration)
    ) {
      throw new CommandValidationError(cause, 'An invalid timeout is set on ScheduleActivityTaskCommand.');
    }
    if (durationToMs(a.scheduleToCloseTimeout) <= 0 && durationToMs(a.startToCloseTimeout) <= 0) {
      throw new CommandValidationError(
        cause,
        'A valid StartToClose or ScheduleToCloseTimeout is not set on ScheduleActivityTaskCommand.',
      );
    }
    if (activityIds.has(a.activityId)) {
      throw new CommandValidationError(
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID,
        `Activity with id ${a.activityId} already exists.`,
      );
    }
    activityIds.add(a.activityId);
  },

  apply(command, { ms, completedEventId }) {
    const a = command.scheduleActivityTaskCommandAttributes!;
    const timeouts = normalizeActivityTimeouts(
      durationToMs(a.scheduleToCloseTimeout),
      durationToMs(a.scheduleToStartTimeout),
      durationToMs(a.startToCloseTimeout),
      durationToMs(a.heartbeatTimeout),
      durationToMs(ms.info.workflowRunTimeout),
    );
    const taskQueue = a.taskQueue?.name ? a.taskQueue.name : ms.info.taskQueue;
    const event = ms.addEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, {
      userMetadata: command.userMetadata,
      activityTaskScheduledEventAttributes: {
        ...a,
        taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        scheduleToCloseTimeout: msToDuration(timeouts.scheduleToCloseMs),
        scheduleToStartTimeout: msToDuration(timeouts.scheduleToStartMs),
        startToCloseTimeout: msToDuration(timeouts.startToCloseMs),
        heartbeatTimeout: msToDuration(timeouts.heartbeatMs),
        retryPolicy: withRetryDefaults(a.retryPolicy),
        workflowTaskCompletedEventId: completedEventId,
      },
    });
    ms.state.activities[event.eventId] = ActivityInfo.fromPartial({
      scheduledEventId: event.eventId,
      activityId: a.activityId,
      scheduled: event.activityTaskScheduledEventAttributes!,
      scheduledTime: ms.now,
      firstScheduledTime: ms.now,
      currentAttemptScheduledTime: ms.now,
      attempt: 1,
    });
    dispatchActivityAttempt(ms, event.eventId, 1, timeouts.scheduleToStartMs, timeouts.scheduleToCloseMs);
  },
};

/** Upstream validateAndNormalizeTimeouts: derive the unset timeouts and cap everything by the run timeout. */
export function normalizeActivityTimeouts(
  scheduleToCloseMs: number,
  scheduleToStartMs: number,
  startToCloseMs: number,
  heartbeatMs: number,
  runTimeoutMs: number,
) {
  const cap = (ms: number) => (runTimeoutMs > 0 && (ms === 0 || ms > runTimeoutMs) ? runTimeoutMs : ms);
  if (scheduleToCloseMs > 0) {
    scheduleToStartMs = scheduleToStartMs > 0 ? Math.min(scheduleToStartMs, scheduleToCloseMs) : scheduleToCloseMs;
    startToCloseMs = startToCloseMs > 0 ? Math.min(startToCloseMs, scheduleToCloseMs) : scheduleToCloseMs;
  } else {
    scheduleToCloseMs = runTimeoutMs;
    if (scheduleToStartMs <= 0) scheduleToStartMs = runTimeoutMs;
  }
  scheduleToCloseMs = cap(scheduleToCloseMs);
  scheduleToStartMs = cap(scheduleToStartMs);
  startToCloseMs = cap(startToCloseMs);
  heartbeatMs = Math.min(heartbeatMs, startToCloseMs);
  return { scheduleToCloseMs, scheduleToStartMs, startToCloseMs, heartbeatMs };
}

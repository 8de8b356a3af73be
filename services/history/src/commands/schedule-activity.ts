// ScheduleActivityTask: the ActivityTaskScheduled event, the pending activity, and its first attempt dispatched.
import { durationToNanos, nanosToDuration } from '@tempora/common';
import { EventType, WorkflowTaskFailedCause, TaskQueueKind } from '@tempora/proto/enums';
import { ActivityInfo } from '@tempora/proto/persistence';
import { dispatchActivityAttempt } from '../activities.js';
import { withRetryDefaults } from '../retry.js';
import {
  CommandValidationError,
  MAX_ID_LENGTH,
  durationProblem,
  invalidHistoryAction,
  taskQueueProblem,
  type CommandHandler,
} from './command-handler.js';

export const scheduleActivity: CommandHandler = {
  validate(command, { activityIds }) {
    const a = command.scheduleActivityTaskCommandAttributes;
    const cause = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES;
    const fail = (message: string) => new CommandValidationError(cause, message);
    if (!a) throw fail('ScheduleActivityTaskCommandAttributes is not set on ScheduleActivityTaskCommand.');
    const queueProblem = taskQueueProblem(a.taskQueue);
    if (queueProblem) throw fail(queueProblem);
    const type = a.activityType?.name ?? '';
    if (!a.activityId) throw fail('activityId is not set');
    if (!type) throw fail('activityType is not set');
    if (a.activityId.length > MAX_ID_LENGTH) {
      throw fail(`activityId exceeds length limit. Length=${a.activityId.length} Limit=${MAX_ID_LENGTH}`);
    }
    if (type.length > MAX_ID_LENGTH) {
      throw fail(`activityType exceeds length limit. Length=${type.length} Limit=${MAX_ID_LENGTH}`);
    }
    for (const [name, d] of [
      ['ScheduleToCloseTimeout', a.scheduleToCloseTimeout],
      ['ScheduleToStartTimeout', a.scheduleToStartTimeout],
      ['StartToCloseTimeout', a.startToCloseTimeout],
      ['HeartbeatTimeout', a.heartbeatTimeout],
    ] as const) {
      const problem = durationProblem(d);
      if (problem) throw fail(`invalid ${name}: ${problem}`);
    }
    if (durationToNanos(a.scheduleToCloseTimeout) <= 0n && durationToNanos(a.startToCloseTimeout) <= 0n) {
      throw fail(
        `a valid StartToCloseTimeout or ScheduleToCloseTimeout must be set on the activity. ActivityId=${a.activityId} ActivityType=${type}`,
      );
    }
    if (activityIds.has(a.activityId)) {
      throw new CommandValidationError(
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID,
        invalidHistoryAction('add-activitytask-scheduled-event', `ActivityID: ${a.activityId}`),
      );
    }
    activityIds.add(a.activityId);
  },

  apply(command, { ms, completedEventId, eagerActivities }) {
    const a = command.scheduleActivityTaskCommandAttributes!;
    const timeouts = normalizeActivityTimeouts(
      durationToNanos(a.scheduleToCloseTimeout),
      durationToNanos(a.scheduleToStartTimeout),
      durationToNanos(a.startToCloseTimeout),
      durationToNanos(a.heartbeatTimeout),
      durationToNanos(ms.info.workflowRunTimeout),
    );
    const taskQueue = a.taskQueue?.name ? a.taskQueue.name : ms.info.taskQueue;
    const event = ms.addEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, {
      userMetadata: command.userMetadata,
      activityTaskScheduledEventAttributes: {
        ...a,
        taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        scheduleToCloseTimeout: nanosToDuration(timeouts.scheduleToClose),
        scheduleToStartTimeout: nanosToDuration(timeouts.scheduleToStart),
        startToCloseTimeout: nanosToDuration(timeouts.startToClose),
        heartbeatTimeout: nanosToDuration(timeouts.heartbeat),
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
    // Upstream grants every eager request (the SDK asks only for what its worker has slots for, on its own queue).
    const eager = a.requestEagerExecution && eagerActivities !== undefined;
    if (eager) eagerActivities.push(event.eventId);
    dispatchActivityAttempt(
      ms,
      event.eventId,
      1,
      nanosToMs(timeouts.scheduleToStart),
      nanosToMs(timeouts.scheduleToClose),
      { dispatch: !eager, firstAttempt: true },
    );
  },
};

const nanosToMs = (nanos: bigint) => Number(nanos / 1_000_000n);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

/**
 * Upstream validateAndNormalizeTimeouts: derive the unset timeouts and cap everything by the run timeout. In exact
 * nanoseconds (0 = unset), so the scheduled event echoes the timeouts as given.
 */
export function normalizeActivityTimeouts(
  scheduleToClose: bigint,
  scheduleToStart: bigint,
  startToClose: bigint,
  heartbeat: bigint,
  runTimeout: bigint,
) {
  const cap = (nanos: bigint) => (runTimeout > 0n && (nanos === 0n || nanos > runTimeout) ? runTimeout : nanos);
  if (scheduleToClose > 0n) {
    scheduleToStart = scheduleToStart > 0n ? min(scheduleToStart, scheduleToClose) : scheduleToClose;
    startToClose = startToClose > 0n ? min(startToClose, scheduleToClose) : scheduleToClose;
  } else {
    scheduleToClose = runTimeout;
    if (scheduleToStart <= 0n) scheduleToStart = runTimeout;
  }
  scheduleToClose = cap(scheduleToClose);
  scheduleToStart = cap(scheduleToStart);
  startToClose = cap(startToClose);
  heartbeat = min(heartbeat, startToClose);
  return { scheduleToClose, scheduleToStart, startToClose, heartbeat };
}

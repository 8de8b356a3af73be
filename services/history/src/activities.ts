// Activity state transitions shared by the activity RPCs and the timer queue. ActivityTaskStarted is written only
// when the activity closes (with its final attempt), so retries leave no trace in history.
import { durationToMs, msToDuration } from '@tempora/common';
import type { Payloads } from '@tempora/proto/common';
import { EventType, RetryState, TimeoutType } from '@tempora/proto/enums';
import { Failure } from '@tempora/proto/failure';
import type { ActivityTaskToken } from '@tempora/proto/internal';
import type { ActivityInfo } from '@tempora/proto/persistence';
import type { PollActivityTaskQueueResponse } from '@tempora/proto/workflowservice';
import { notFound, type DeepPartial } from '@tempora/rpc';
import type { MutableState } from './mutable-state.js';
import { decideRetry, withRetryDefaults } from './retry.js';
import { encodeActivityTaskToken } from './tokens.js';

/** Marks an attempt as started in mutable state; the event itself waits until the activity closes. */
export const ACTIVITY_STARTED_MARKER = -1;

/**
 * Starts the activity's current attempt for a worker: a poll through matching, or eager dispatch to the worker
 * that completed the workflow task. Arms its start-to-close and heartbeat timeouts.
 */
export function startActivityAttempt(
  ms: MutableState,
  activity: ActivityInfo,
  worker: { requestId: string; identity: string },
): void {
  activity.startedEventId = ACTIVITY_STARTED_MARKER;
  activity.startedTime = ms.now;
  activity.startedIdentity = worker.identity;
  activity.startRequestId = worker.requestId;
  activity.lastWorkerIdentity = worker.identity;
  const scheduled = activity.scheduled!;
  for (const [timeout, timeoutType] of [
    [scheduled.startToCloseTimeout, TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE],
    [scheduled.heartbeatTimeout, TimeoutType.TIMEOUT_TYPE_HEARTBEAT],
  ] as const) {
    const timeoutMs = durationToMs(timeout);
    if (timeoutMs <= 0) continue;
    ms.addTimerTask(ms.now.getTime() + timeoutMs, {
      activityTimeout: { scheduledEventId: activity.scheduledEventId, attempt: activity.attempt, timeoutType },
    });
  }
}

/** The activity task a worker gets for a started attempt (a poll's answer, or one of a completion's eager tasks). */
export function activityTaskFor(
  ms: MutableState,
  activity: ActivityInfo,
  namespace: string,
): DeepPartial<PollActivityTaskQueueResponse> {
  const scheduled = activity.scheduled!;
  const { namespaceId, workflowId, runId } = ms.info;
  return {
    taskToken: encodeActivityTaskToken({
      namespaceId,
      workflowId,
      runId,
      scheduledEventId: activity.scheduledEventId,
      attempt: activity.attempt,
      activityId: activity.activityId,
      activityType: scheduled.activityType?.name ?? '',
    }),
    workflowNamespace: namespace,
    workflowType: { name: ms.info.workflowType },
    workflowExecution: { workflowId, runId },
    activityType: scheduled.activityType,
    activityId: activity.activityId,
    header: scheduled.header,
    input: scheduled.input,
    heartbeatDetails: activity.lastHeartbeatDetails,
    scheduledTime: activity.firstScheduledTime,
    currentAttemptScheduledTime: activity.currentAttemptScheduledTime,
    startedTime: activity.startedTime,
    attempt: activity.attempt,
    scheduleToCloseTimeout: scheduled.scheduleToCloseTimeout,
    startToCloseTimeout: scheduled.startToCloseTimeout,
    heartbeatTimeout: scheduled.heartbeatTimeout,
    retryPolicy: scheduled.retryPolicy,
    priority: scheduled.priority,
  };
}

/**
 * The pending activity a token refers to. Tokens from ById calls (scheduled id 0) match by activity id and any
 * attempt; a started activity is required unless `allowNotStarted`.
 */
export function activityForToken(ms: MutableState, token: ActivityTaskToken, allowNotStarted = false): ActivityInfo {
  if (!ms.isRunning) throw notFound('Workflow execution already completed.');
  const byId = token.scheduledEventId === 0;
  const activity = byId
    ? Object.values(ms.state.activities).find((a) => a.activityId === token.activityId)
    : ms.state.activities[token.scheduledEventId];
  if (!activity || (!byId && activity.attempt !== token.attempt)) throw notFound('Activity task not found.');
  if (activity.startedEventId === 0 && !(allowNotStarted || byId)) throw notFound('Activity task not found.');
  return activity;
}

/** Writes the deferred ActivityTaskStarted event; returns its id (0 when the result waits in the buffer). */
function writeStartedEvent(ms: MutableState, activity: ActivityInfo): number {
  const event = ms.addEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, {
    // Written late, but dated when the attempt really started.
    eventTime: activity.startedTime,
    activityTaskStartedEventAttributes: {
      scheduledEventId: activity.scheduledEventId,
      identity: activity.startedIdentity,
      requestId: activity.startRequestId,
      attempt: activity.attempt,
      lastFailure: activity.lastFailure,
    },
  });
  return event.eventId;
}

function closeActivity(ms: MutableState, activity: ActivityInfo): void {
  delete ms.state.activities[activity.scheduledEventId];
  ms.ensureWorkflowTask();
}

export function completeActivity(
  ms: MutableState,
  activity: ActivityInfo,
  result: Payloads | undefined,
  identity: string,
): void {
  const startedEventId = writeStartedEvent(ms, activity);
  ms.addEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, {
    activityTaskCompletedEventAttributes: {
      result,
      scheduledEventId: activity.scheduledEventId,
      startedEventId,
      identity,
    },
  });
  closeActivity(ms, activity);
}

export function cancelActivity(
  ms: MutableState,
  activity: ActivityInfo,
  details: Payloads | undefined,
  identity: string,
): void {
  const startedEventId = writeStartedEvent(ms, activity);
  ms.addEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED, {
    activityTaskCanceledEventAttributes: {
      details,
      latestCancelRequestedEventId: activity.cancelRequestEventId,
      scheduledEventId: activity.scheduledEventId,
      startedEventId,
      identity,
    },
  });
  closeActivity(ms, activity);
}

/**
 * A failed or timed-out attempt: retried (no events, a retry timer) when the policy allows, otherwise the activity
 * closes with ActivityTaskFailed / ActivityTaskTimedOut. Returns the retry state.
 */
export function failActivityAttempt(
  ms: MutableState,
  activity: ActivityInfo,
  failure: Failure,
  identity: string,
  lastHeartbeatDetails?: Payloads,
): RetryState {
  const policy = withRetryDefaults(activity.scheduled?.retryPolicy);
  const scheduleToCloseMs = durationToMs(activity.scheduled?.scheduleToCloseTimeout);
  const expiration = scheduleToCloseMs > 0 ? (activity.firstScheduledTime?.getTime() ?? 0) + scheduleToCloseMs : 0;
  const decision = decideRetry(policy, activity.attempt, failure, expiration, ms.now.getTime());
  if (lastHeartbeatDetails) activity.lastHeartbeatDetails = lastHeartbeatDetails;
  if (decision.retry && !activity.cancelRequested) {
    activity.lastFailure = failure;
    // A ResetActivity that arrived while this attempt ran takes effect now: the next attempt is the first again.
    activity.attempt = activity.resetRequested ? 1 : activity.attempt + 1;
    activity.resetRequested = false;
    activity.startedEventId = 0;
    activity.startedTime = undefined;
    activity.startRequestId = '';
    activity.lastWorkerIdentity = identity;
    activity.lastAttemptCompleteTime = ms.now;
    activity.currentRetryInterval = msToDuration(decision.delayMs);
    activity.currentAttemptScheduledTime = new Date(ms.now.getTime() + decision.delayMs);
    // A paused activity waits for UnpauseActivity instead of its backoff.
    if (!activity.paused) {
      ms.addTimerTask(ms.now.getTime() + decision.delayMs, {
        activityRetry: { scheduledEventId: activity.scheduledEventId, attempt: activity.attempt },
      });
    }
    ms.markDirty();
    return RetryState.RETRY_STATE_IN_PROGRESS;
  }
  const retryState = decision.retry ? RetryState.RETRY_STATE_CANCEL_REQUESTED : decision.state;
  // Upstream reports a timeout that leaves no time for another attempt as a schedule-to-close timeout.
  const timeoutType = failure.timeoutFailureInfo?.timeoutType;
  if (
    retryState === RetryState.RETRY_STATE_TIMEOUT &&
    timeoutType !== undefined &&
    timeoutType !== TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START
  ) {
    failure = Failure.fromPartial({
      message: 'Not enough time to schedule next retry before activity ScheduleToClose timeout, giving up retrying',
      source: 'Server',
      timeoutFailureInfo: {
        timeoutType: TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE,
        lastHeartbeatDetails: failure.timeoutFailureInfo?.lastHeartbeatDetails,
      },
    });
  }
  const startedEventId = activity.startedEventId !== 0 ? writeStartedEvent(ms, activity) : 0;
  if (failure.timeoutFailureInfo) {
    ms.addEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT, {
      activityTaskTimedOutEventAttributes: {
        failure,
        scheduledEventId: activity.scheduledEventId,
        startedEventId,
        retryState,
      },
    });
  } else {
    ms.addEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED, {
      activityTaskFailedEventAttributes: {
        failure,
        scheduledEventId: activity.scheduledEventId,
        startedEventId,
        identity,
        retryState,
      },
    });
  }
  closeActivity(ms, activity);
  return retryState;
}

export function activityTimeoutFailure(timeoutType: TimeoutType, activity: ActivityInfo): Failure {
  const name = TimeoutType[timeoutType].replace('TIMEOUT_TYPE_', '').toLowerCase();
  return Failure.fromPartial({
    message: `activity ${name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()).replace(/^./, (c) => c.toUpperCase())} timeout`,
    source: 'Server',
    timeoutFailureInfo: { timeoutType, lastHeartbeatDetails: activity.lastHeartbeatDetails },
  });
}

/** Re-dispatch after a retry backoff, with the attempt's schedule-to-start timer. */
export function redispatchActivity(ms: MutableState, activity: ActivityInfo): void {
  activity.currentAttemptScheduledTime = ms.now;
  dispatchActivityAttempt(
    ms,
    activity.scheduledEventId,
    activity.attempt,
    durationToMs(activity.scheduled?.scheduleToStartTimeout),
    durationToMs(activity.scheduled?.scheduleToCloseTimeout),
    { dispatch: true, firstAttempt: false },
  );
}

/** Dispatches an attempt to matching and arms its schedule-to-start / schedule-to-close timers. */
export function dispatchActivityAttempt(
  ms: MutableState,
  scheduledEventId: number,
  attempt: number,
  scheduleToStartMs: number,
  scheduleToCloseMs: number,
  options: { dispatch: boolean; firstAttempt: boolean } = { dispatch: true, firstAttempt: true },
): void {
  const now = ms.now.getTime();
  if (options.dispatch) ms.addTransferTask({ activityTask: { scheduledEventId, attempt } });
  if (scheduleToStartMs > 0 && (scheduleToCloseMs === 0 || scheduleToStartMs < scheduleToCloseMs)) {
    ms.addTimerTask(now + scheduleToStartMs, {
      activityTimeout: { scheduledEventId, attempt, timeoutType: TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START },
    });
  }
  if (options.firstAttempt && scheduleToCloseMs > 0) {
    ms.addTimerTask(now + scheduleToCloseMs, {
      activityTimeout: { scheduledEventId, attempt: 0, timeoutType: TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE },
    });
  }
}

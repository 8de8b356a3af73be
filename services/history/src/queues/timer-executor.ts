// Executes timer tasks: workflow task and activity timeouts, user timers, activity retries, workflow timeouts and
// delayed first workflow tasks. Each re-checks mutable state and does nothing when its target moved on.
import { durationToMs } from '@tempora/common';
import type { HistoryTask } from '@tempora/persistence';
import {
  EventType,
  TaskQueueKind,
  ContinueAsNewInitiator,
  RetryState,
  TimeoutType,
  WorkflowExecutionStatus,
} from '@tempora/proto/enums';
import { Failure } from '@tempora/proto/failure';
import { TimerTaskBody, type ActivityInfo } from '@tempora/proto/persistence';
import { activityTimeoutFailure, failActivityAttempt, redispatchActivity } from '../activities.js';
import { failStartedWorkflowTaskForClose } from '../close-run.js';
import { decideRetry, withRetryDefaults } from '../retry.js';
import type { ExecutionManager } from '../execution-manager.js';
import type { MutableState } from '../mutable-state.js';
import { chainRun } from '../new-run.js';
import { timeOutWorkflowTask } from '../workflow-task-failure.js';
import { ignoreNotFound } from './not-found.js';

export function timerExecutor(executions: ExecutionManager) {
  return async (task: HistoryTask): Promise<void> => {
    const body = TimerTaskBody.decode(task.data);
    const key = { namespaceId: task.namespaceId, workflowId: task.workflowId, runId: task.runId };
    await executions
      .update(key, (ms) => {
        if (ms.isRunning) fire(ms, body);
      })
      .catch(ignoreNotFound);
  };
}

function fire(ms: MutableState, body: TimerTaskBody): void {
  if (body.workflowTaskTimeout) {
    const { scheduledEventId, attempt, timeoutType } = body.workflowTaskTimeout;
    const task = ms.workflowTask;
    if (!task || task.scheduledEventId !== scheduledEventId || task.attempt !== attempt) return;
    if (timeoutType === TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE && task.startedEventId !== 0) {
      timeOutWorkflowTask(ms, timeoutType, { keepAttempt: false });
    } else if (
      timeoutType === TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START &&
      task.startedEventId === 0 &&
      task.taskQueueKind === TaskQueueKind.TASK_QUEUE_KIND_STICKY
    ) {
      // The sticky worker did not pick it up: back to the normal queue, same attempt.
      timeOutWorkflowTask(ms, timeoutType, { keepAttempt: true });
    }
    return;
  }
  if (body.activityTimeout) {
    fireActivityTimeout(ms, body.activityTimeout);
    return;
  }
  if (body.userTimer) {
    const { timerId, startedEventId } = body.userTimer;
    const timer = ms.state.timers[timerId];
    if (!timer || timer.startedEventId !== startedEventId) return;
    delete ms.state.timers[timerId];
    ms.addEvent(EventType.EVENT_TYPE_TIMER_FIRED, { timerFiredEventAttributes: { timerId, startedEventId } });
    ms.ensureWorkflowTask();
    return;
  }
  if (body.activityRetry) {
    const activity = ms.state.activities[body.activityRetry.scheduledEventId];
    if (
      activity &&
      !activity.paused &&
      activity.attempt === body.activityRetry.attempt &&
      activity.startedEventId === 0
    )
      redispatchActivity(ms, activity);
    return;
  }
  if (body.workflowTimeout) {
    failStartedWorkflowTaskForClose(ms, '');
    const { retryState, newRunId } = retryAfterTimeout(ms, body.workflowTimeout.isExecutionTimeout);
    const event = ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT, {
      workflowExecutionTimedOutEventAttributes: { retryState, newExecutionRunId: newRunId },
    });
    ms.info.completionEventId = event.eventId;
    ms.setStatus(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT);
    return;
  }
  if (body.workflowBackoff) {
    if (!ms.workflowTask && ms.info.lastCompletedWorkflowTaskStartedEventId === 0) ms.scheduleWorkflowTask();
  }
}

/** A run timeout is retried under the workflow's retry policy; the execution timeout ends the whole chain. */
function retryAfterTimeout(
  ms: MutableState,
  isExecutionTimeout: boolean,
): { retryState: RetryState; newRunId: string } {
  const info = ms.info;
  if (isExecutionTimeout) return { retryState: RetryState.RETRY_STATE_TIMEOUT, newRunId: '' };
  if (!info.retryPolicy) return { retryState: RetryState.RETRY_STATE_RETRY_POLICY_NOT_SET, newRunId: '' };
  const failure = Failure.fromPartial({
    message: 'workflow run timeout',
    source: 'Server',
    timeoutFailureInfo: { timeoutType: TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE },
  });
  const expiration = info.executionExpirationTime?.getTime() ?? 0;
  const decision = decideRetry(
    withRetryDefaults(info.retryPolicy),
    info.attempt,
    failure,
    expiration,
    ms.now.getTime(),
  );
  if (!decision.retry) return { retryState: decision.state, newRunId: '' };
  const newRun = chainRun(ms, {
    initiator: ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_RETRY,
    continuedFailure: failure,
    backoffMs: decision.delayMs,
    attempt: info.attempt + 1,
  });
  return { retryState: RetryState.RETRY_STATE_IN_PROGRESS, newRunId: newRun.info.runId };
}

function fireActivityTimeout(ms: MutableState, timeout: NonNullable<TimerTaskBody['activityTimeout']>): void {
  const activity = ms.state.activities[timeout.scheduledEventId];
  if (!activity) return;
  // Attempt 0 marks the schedule-to-close timer, which covers every attempt.
  if (timeout.attempt !== 0 && activity.attempt !== timeout.attempt) return;
  const started = activity.startedEventId !== 0;
  switch (timeout.timeoutType) {
    case TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START:
      // A paused activity is not waiting for a worker; unpausing dispatches it with a new timer.
      if (started || activity.paused) return;
      break;
    case TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE:
      if (!started) return;
      break;
    case TimeoutType.TIMEOUT_TYPE_HEARTBEAT: {
      if (!started) return;
      const heartbeatMs = durationToMs(activity.scheduled?.heartbeatTimeout);
      const lastBeat = (activity.lastHeartbeatTime ?? activity.startedTime)?.getTime() ?? 0;
      if (lastBeat + heartbeatMs > ms.now.getTime()) {
        // A heartbeat arrived since this timer was set: wait for the next deadline instead.
        ms.addTimerTask(lastBeat + heartbeatMs, { activityTimeout: timeout });
        return;
      }
      break;
    }
  }
  failActivityAttempt(ms, activity, activityTimeoutFailure(firingTimeoutType(ms, activity, timeout), activity), '');
}

/**
 * The timeout a firing timer reports. Upstream runs an activity's expired timers in order of deadline, then timeout
 * type (schedule-to-start before schedule-to-close): a schedule-to-close timer whose attempt's schedule-to-start
 * deadline also passed, no later than its own, reports schedule-to-start (e.g. both derived from schedule-to-close).
 */
function firingTimeoutType(
  ms: MutableState,
  activity: ActivityInfo,
  timeout: NonNullable<TimerTaskBody['activityTimeout']>,
): TimeoutType {
  if (timeout.timeoutType !== TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE || activity.startedEventId !== 0) {
    return timeout.timeoutType;
  }
  const scheduleToStartMs = durationToMs(activity.scheduled?.scheduleToStartTimeout);
  const scheduleToCloseMs = durationToMs(activity.scheduled?.scheduleToCloseTimeout);
  const attemptScheduled = activity.currentAttemptScheduledTime?.getTime();
  const firstScheduled = activity.firstScheduledTime?.getTime();
  if (scheduleToStartMs <= 0 || attemptScheduled === undefined || firstScheduled === undefined) {
    return timeout.timeoutType;
  }
  const startDeadline = attemptScheduled + scheduleToStartMs;
  return startDeadline <= firstScheduled + scheduleToCloseMs && startDeadline <= ms.now.getTime()
    ? TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START
    : timeout.timeoutType;
}

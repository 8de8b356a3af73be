// Activity timeouts, retries after timeouts, and activity cancellation, through the official TypeScript SDK.
// Expected histories are those of the official Go server (run this file with TEMPORA_TEST_ORACLE=host:port to check).
import { describe, expect, it } from '@jest/globals';
import { ActivityCancellationType, type ActivityOptions } from '@temporalio/common';
import protos, { type temporal } from '@temporalio/proto';
import * as activities from './feature-activities.js';
import { uniqueName } from './helpers.js';
import { eventTypeName, readHistory, useSdkTarget, type HistoryEvent } from './sdk-support.js';
import type * as workflows from './workflows/features.js';
import type { ActivityOutcome } from './workflows/features.js';

const { EventType, RetryState, TimeoutType } = protos.temporal.api.enums.v1;

const taskQueue = uniqueName('activity-timeouts');
/** A task queue no worker polls: activities scheduled there are never started. */
const unpolledQueue = uniqueName('unpolled');
const sdk = useSdkTarget({ taskQueue, activities });

/** The activities the feature workflows run by name: feature-activities' Promise-returning functions. */
type ActivityName = Parameters<typeof workflows.activityOutcomeWorkflow>[0];

async function runActivity(
  name: ActivityName,
  args: unknown[],
  options: ActivityOptions,
): Promise<{ outcome: ActivityOutcome; events: HistoryEvent[] }> {
  const workflowId = uniqueName(name);
  const outcome = await sdk.client.workflow.execute<typeof workflows.activityOutcomeWorkflow>(
    'activityOutcomeWorkflow',
    {
      taskQueue,
      workflowId,
      args: [name, args, options],
    },
  );
  return { outcome, events: await readHistory(sdk.connection, workflowId) };
}

async function cancelActivity(
  name: ActivityName,
  options: ActivityOptions,
  cancelAfterMs: number,
): Promise<{ workflowId: string; outcome: ActivityOutcome; events: HistoryEvent[] }> {
  const workflowId = uniqueName(`cancel-${name}`);
  const outcome = await sdk.client.workflow.execute<typeof workflows.cancelActivityWorkflow>('cancelActivityWorkflow', {
    taskQueue,
    workflowId,
    args: [name, options, cancelAfterMs],
  });
  return { workflowId, outcome, events: await readHistory(sdk.connection, workflowId) };
}

function activityEvents(events: HistoryEvent[]): string[] {
  return events.map(eventTypeName).filter((type) => type.startsWith('ACTIVITY_TASK'));
}

function only(events: HistoryEvent[], type: temporal.api.enums.v1.EventType): HistoryEvent {
  const matching = events.filter((e) => e.eventType === type);
  expect(matching).toHaveLength(1);
  return matching[0]!;
}

function eventTimeMs(event: HistoryEvent): number {
  return Number(event.eventTime!.seconds) * 1000 + Math.round((event.eventTime!.nanos ?? 0) / 1e6);
}

const fastRetry = { initialInterval: '100ms', backoffCoefficient: 1 } as const;

describe('activity timeouts', () => {
  it('retries attempts that outlive their start-to-close timeout', async () => {
    const { outcome, events } = await runActivity('slowUntilAttempt', [4000, 3], {
      startToCloseTimeout: '500ms',
      retry: { ...fastRetry, maximumAttempts: 5 },
    });
    expect(outcome).toEqual({ result: 3 });
    expect(activityEvents(events)).toEqual([
      'ACTIVITY_TASK_SCHEDULED',
      'ACTIVITY_TASK_STARTED',
      'ACTIVITY_TASK_COMPLETED',
    ]);
    const started = only(events, EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED).activityTaskStartedEventAttributes!;
    expect(started.attempt).toBe(3);
    // The last attempt's failure alone: failures of earlier attempts are not chained into it.
    expect(started.lastFailure).toEqual(
      expect.objectContaining({ message: 'activity StartToClose timeout', source: 'Server', cause: null }),
    );
    expect(started.lastFailure?.timeoutFailureInfo?.timeoutType).toBe(TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE);
  });

  it('times out an activity that stops heartbeating, with its last heartbeat details', async () => {
    const { outcome, events } = await runActivity('heartbeatThenStall', ['checkpoint-1', 5000], {
      startToCloseTimeout: '30s',
      heartbeatTimeout: '1s',
      retry: { maximumAttempts: 1 },
    });
    expect(outcome).toEqual({
      failure: {
        name: 'ActivityFailure',
        message: 'Activity task timed out',
        retryState: 'MAXIMUM_ATTEMPTS_REACHED',
        cause: { name: 'TimeoutFailure', message: 'activity Heartbeat timeout', timeoutType: 'HEARTBEAT' },
      },
    });
    expect(activityEvents(events)).toEqual([
      'ACTIVITY_TASK_SCHEDULED',
      'ACTIVITY_TASK_STARTED',
      'ACTIVITY_TASK_TIMED_OUT',
    ]);
    const startedEvent = only(events, EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED);
    expect(startedEvent.activityTaskStartedEventAttributes!.attempt).toBe(1);
    const timedOutEvent = only(events, EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
    // ActivityTaskStarted is written when the attempt ends, but stamped with the time the attempt started.
    expect(eventTimeMs(timedOutEvent) - eventTimeMs(startedEvent)).toBeGreaterThanOrEqual(900);
    const timedOut = timedOutEvent.activityTaskTimedOutEventAttributes!;
    expect(timedOut.retryState).toBe(RetryState.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
    expect(timedOut.failure?.message).toBe('activity Heartbeat timeout');
    expect(timedOut.failure?.timeoutFailureInfo?.timeoutType).toBe(TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
    const details = timedOut.failure?.timeoutFailureInfo?.lastHeartbeatDetails?.payloads ?? [];
    expect(details.map((p: temporal.api.common.v1.IPayload) => Buffer.from(p.data!).toString())).toEqual([
      '"checkpoint-1"',
    ]);
  });

  it('hands the last heartbeat details to the retry of a heartbeat-timed-out attempt', async () => {
    const { outcome, events } = await runActivity('heartbeatThenStall', ['checkpoint-2', 5000], {
      startToCloseTimeout: '30s',
      heartbeatTimeout: '1s',
      retry: { ...fastRetry, maximumAttempts: 2 },
    });
    expect(outcome).toEqual({ result: 'attempt 2 resumed from checkpoint-2' });
    expect(activityEvents(events)).toEqual([
      'ACTIVITY_TASK_SCHEDULED',
      'ACTIVITY_TASK_STARTED',
      'ACTIVITY_TASK_COMPLETED',
    ]);
    const started = only(events, EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED).activityTaskStartedEventAttributes!;
    expect(started.attempt).toBe(2);
    expect(started.lastFailure?.message).toBe('activity Heartbeat timeout');
    expect(started.lastFailure?.timeoutFailureInfo?.timeoutType).toBe(TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
  });

  it('stops retrying when the schedule-to-close timeout expires', async () => {
    const { outcome, events } = await runActivity('sleepFor', [5000], {
      startToCloseTimeout: '300ms',
      scheduleToCloseTimeout: '1s',
      retry: fastRetry,
    });
    expect(outcome).toEqual({
      failure: {
        name: 'ActivityFailure',
        message: 'Activity task timed out',
        retryState: 'TIMEOUT',
        cause: {
          name: 'TimeoutFailure',
          message: 'Not enough time to schedule next retry before activity ScheduleToClose timeout, giving up retrying',
          timeoutType: 'SCHEDULE_TO_CLOSE',
        },
      },
    });
    const timedOut = only(events, EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT).activityTaskTimedOutEventAttributes!;
    expect(timedOut.retryState).toBe(RetryState.RETRY_STATE_TIMEOUT);
    expect(timedOut.failure?.timeoutFailureInfo?.timeoutType).toBe(TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE);
  });

  it('times out an activity no worker picks up within its schedule-to-start timeout', async () => {
    const { outcome, events } = await runActivity('echo', ['never delivered'], {
      taskQueue: unpolledQueue,
      scheduleToStartTimeout: '1s',
      startToCloseTimeout: '10s',
    });
    expect(outcome).toEqual({
      failure: {
        name: 'ActivityFailure',
        message: 'Activity task timed out',
        retryState: 'TIMEOUT',
        cause: {
          name: 'TimeoutFailure',
          message: 'activity ScheduleToStart timeout',
          timeoutType: 'SCHEDULE_TO_START',
        },
      },
    });
    expect(activityEvents(events)).toEqual(['ACTIVITY_TASK_SCHEDULED', 'ACTIVITY_TASK_TIMED_OUT']);
    const scheduled = only(events, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    expect(scheduled.activityTaskScheduledEventAttributes!.taskQueue?.name).toBe(unpolledQueue);
    const timedOut = only(events, EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT).activityTaskTimedOutEventAttributes!;
    expect(timedOut.scheduledEventId).toEqual(scheduled.eventId);
    expect(Number(timedOut.startedEventId)).toBe(0);
    expect(timedOut.failure?.timeoutFailureInfo?.timeoutType).toBe(TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START);
    expect(timedOut.retryState).toBe(RetryState.RETRY_STATE_TIMEOUT);
  });

  it('reports schedule-to-start when it expires at the same instant as schedule-to-close', async () => {
    // Only schedule-to-close is set, so schedule-to-start is derived equal to it: upstream orders timers of one
    // instant by timeout type, and schedule-to-start comes first.
    const { outcome, events } = await runActivity('echo', ['never delivered'], {
      taskQueue: unpolledQueue,
      scheduleToCloseTimeout: '1s',
    });
    expect(outcome).toEqual({
      failure: {
        name: 'ActivityFailure',
        message: 'Activity task timed out',
        retryState: 'TIMEOUT',
        cause: {
          name: 'TimeoutFailure',
          message: 'activity ScheduleToStart timeout',
          timeoutType: 'SCHEDULE_TO_START',
        },
      },
    });
    expect(activityEvents(events)).toEqual(['ACTIVITY_TASK_SCHEDULED', 'ACTIVITY_TASK_TIMED_OUT']);
    const scheduled = only(events, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).activityTaskScheduledEventAttributes!;
    expect([
      Number(scheduled.scheduleToStartTimeout?.seconds),
      Number(scheduled.scheduleToCloseTimeout?.seconds),
    ]).toEqual([1, 1]);
    const timedOut = only(events, EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT).activityTaskTimedOutEventAttributes!;
    expect(timedOut.retryState).toBe(RetryState.RETRY_STATE_TIMEOUT);
  });
});

describe('activity cancellation', () => {
  it('cancels a running, heartbeating activity', async () => {
    const { workflowId, outcome, events } = await cancelActivity(
      'heartbeatUntilCancelled',
      {
        startToCloseTimeout: '30s',
        heartbeatTimeout: '1s',
        cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      },
      500,
    );
    expect(outcome).toEqual({
      failure: {
        name: 'ActivityFailure',
        message: 'Activity cancelled',
        retryState: 'CANCEL_REQUESTED',
        cause: { name: 'CancelledFailure', message: '' },
      },
    });
    expect(activities.cancellationsSeen.get(workflowId)).toBe('CancelledFailure: CANCELLED');
    expect(activityEvents(events)).toEqual([
      'ACTIVITY_TASK_SCHEDULED',
      'ACTIVITY_TASK_CANCEL_REQUESTED',
      'ACTIVITY_TASK_STARTED',
      'ACTIVITY_TASK_CANCELED',
    ]);
    const scheduledId = only(events, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).eventId;
    const requested = only(events, EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED);
    expect(requested.activityTaskCancelRequestedEventAttributes!.scheduledEventId).toEqual(scheduledId);
    const started = only(events, EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED);
    const canceled = only(events, EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED).activityTaskCanceledEventAttributes!;
    expect(canceled.scheduledEventId).toEqual(scheduledId);
    expect(canceled.startedEventId).toEqual(started.eventId);
    expect(canceled.latestCancelRequestedEventId).toEqual(requested.eventId);
  });

  it('cancels an activity that was never started at once', async () => {
    const { outcome, events } = await cancelActivity(
      'echo',
      {
        taskQueue: unpolledQueue,
        startToCloseTimeout: '10s',
        cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      },
      200,
    );
    expect(outcome).toEqual({
      failure: {
        name: 'ActivityFailure',
        message: 'Activity cancelled',
        retryState: 'CANCEL_REQUESTED',
        cause: { name: 'CancelledFailure', message: '' },
      },
    });
    const types = events.map(eventTypeName);
    const requestedAt = types.indexOf('ACTIVITY_TASK_CANCEL_REQUESTED');
    // The cancellation is recorded with the task that requested it; a new workflow task reports it.
    expect(types.slice(requestedAt - 1)).toEqual([
      'WORKFLOW_TASK_COMPLETED',
      'ACTIVITY_TASK_CANCEL_REQUESTED',
      'ACTIVITY_TASK_CANCELED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_COMPLETED',
      'WORKFLOW_EXECUTION_COMPLETED',
    ]);
    expect(activityEvents(events)).toEqual([
      'ACTIVITY_TASK_SCHEDULED',
      'ACTIVITY_TASK_CANCEL_REQUESTED',
      'ACTIVITY_TASK_CANCELED',
    ]);
    const scheduledId = only(events, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).eventId;
    const requested = only(events, EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED);
    const canceled = only(events, EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED).activityTaskCanceledEventAttributes!;
    expect(canceled.scheduledEventId).toEqual(scheduledId);
    expect(Number(canceled.startedEventId)).toBe(0);
    expect(canceled.latestCancelRequestedEventId).toEqual(requested.eventId);
  });

  it('completes a workflow that abandons a never-started activity in the task that cancels it', async () => {
    // TRY_CANCEL resolves the activity in the workflow at once, so the workflow completes in the same task as its
    // cancel request; upstream then writes no ActivityTaskCanceled.
    const { outcome, events } = await cancelActivity(
      'echo',
      { taskQueue: unpolledQueue, startToCloseTimeout: '10s' },
      200,
    );
    expect(outcome).toEqual({
      failure: {
        name: 'ActivityFailure',
        message: 'Activity cancelled',
        retryState: 'CANCEL_REQUESTED',
        cause: { name: 'CancelledFailure', message: '' },
      },
    });
    expect(events.map(eventTypeName)).toEqual([
      'WORKFLOW_EXECUTION_STARTED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_COMPLETED',
      'ACTIVITY_TASK_SCHEDULED',
      'TIMER_STARTED',
      'TIMER_FIRED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_COMPLETED',
      'ACTIVITY_TASK_CANCEL_REQUESTED',
      'WORKFLOW_EXECUTION_COMPLETED',
    ]);
  });
});

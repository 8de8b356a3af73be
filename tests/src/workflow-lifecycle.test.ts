// Workflow lifecycle through the official TypeScript SDK: timeouts, retries, cron, start delay, id policies,
// continue-as-new, memo and describe. Expected histories are those of the official Go server (run this file with
// TEMPORA_TEST_ORACLE=host:port to check).
import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { TimeoutFailure, WorkflowExecutionAlreadyStartedError, defaultPayloadConverter } from '@temporalio/common';
import protos from '@temporalio/proto';
import * as activities from './feature-activities.js';
import { uniqueName } from './helpers.js';
import { eventTypeName, readHistory, useSdkTarget, type HistoryEvent } from './sdk-support.js';

const { ContinueAsNewInitiator, EventType, PendingActivityState, RetryState } = protos.temporal.api.enums.v1;

const taskQueue = uniqueName('lifecycle');
const sdk = useSdkTarget({ taskQueue, activities });

const types = (events: HistoryEvent[]): string[] => events.map(eventTypeName);

function durationMs(d: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return Number(d?.seconds ?? 0) * 1000 + Math.round((d?.nanos ?? 0) / 1e6);
}

function eventTimeMs(event: HistoryEvent): number {
  return durationMs(event.eventTime);
}

function decode(
  payloads: { payloads?: protos.temporal.api.common.v1.IPayload[] | null } | null | undefined,
): unknown[] {
  return (payloads?.payloads ?? []).map((p) => defaultPayloadConverter.fromPayload(p));
}

/** From one run's start to the next run's first workflow task. */
function firstTaskSpacingMs(previous: HistoryEvent[], next: HistoryEvent[]): number {
  const scheduled = next.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)!;
  return eventTimeMs(scheduled) - eventTimeMs(previous[0]!);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** The runs of a chain (retries, cron, continue-as-new), from its first run, each with its history. */
async function runChain(workflowId: string, firstRunId: string): Promise<{ runId: string; events: HistoryEvent[] }[]> {
  const runs = [];
  for (let runId: string | undefined = firstRunId; runId;) {
    const events = await readHistory(sdk.connection, workflowId, runId);
    runs.push({ runId, events });
    const close = events.at(-1)!;
    runId =
      close.workflowExecutionCompletedEventAttributes?.newExecutionRunId ||
      close.workflowExecutionFailedEventAttributes?.newExecutionRunId ||
      close.workflowExecutionTimedOutEventAttributes?.newExecutionRunId ||
      close.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ||
      undefined;
  }
  return runs;
}

describe('workflow timeouts', () => {
  it('times out a run that outlives its run timeout', async () => {
    const workflowId = uniqueName('run-timeout');
    const handle = await sdk.client.workflow.start('sleepWorkflow', {
      taskQueue,
      workflowId,
      args: [10_000],
      workflowRunTimeout: '1s',
    });
    const err = await rejection(handle.result());
    expect(err).toBeInstanceOf(WorkflowFailedError);
    // No retry policy and no cron schedule to start another run with.
    expect((err as WorkflowFailedError).retryState).toBe('RETRY_POLICY_NOT_SET');
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(TimeoutFailure);
    expect(((err as WorkflowFailedError).cause as TimeoutFailure).timeoutType).toBe('START_TO_CLOSE');

    const events = await readHistory(sdk.connection, workflowId);
    expect(types(events)).toEqual([
      'WORKFLOW_EXECUTION_STARTED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_COMPLETED',
      'TIMER_STARTED',
      'WORKFLOW_EXECUTION_TIMED_OUT',
    ]);
    const started = events[0]!.workflowExecutionStartedEventAttributes!;
    expect(durationMs(started.workflowRunTimeout)).toBe(1000);
    expect(durationMs(started.workflowExecutionTimeout)).toBe(0);
    const timedOut = events.at(-1)!;
    expect(timedOut.workflowExecutionTimedOutEventAttributes!.retryState).toBe(
      RetryState.RETRY_STATE_RETRY_POLICY_NOT_SET,
    );
    expect(eventTimeMs(timedOut) - eventTimeMs(events[0]!)).toBeGreaterThanOrEqual(1000);
    expect((await handle.describe()).status.name).toBe('TIMED_OUT');
  });

  it('times out an execution that outlives its execution timeout', async () => {
    const workflowId = uniqueName('execution-timeout');
    const handle = await sdk.client.workflow.start('sleepWorkflow', {
      taskQueue,
      workflowId,
      args: [10_000],
      workflowExecutionTimeout: '1s',
    });
    const err = await rejection(handle.result());
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).retryState).toBe('TIMEOUT');
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(TimeoutFailure);

    const events = await readHistory(sdk.connection, workflowId);
    expect(types(events).at(-1)).toBe('WORKFLOW_EXECUTION_TIMED_OUT');
    const started = events[0]!.workflowExecutionStartedEventAttributes!;
    // The run timeout defaults to the execution timeout.
    expect(durationMs(started.workflowExecutionTimeout)).toBe(1000);
    expect(durationMs(started.workflowRunTimeout)).toBe(1000);
    expect(events.at(-1)!.workflowExecutionTimedOutEventAttributes!.retryState).toBe(RetryState.RETRY_STATE_TIMEOUT);
    expect((await handle.describe()).status.name).toBe('TIMED_OUT');
  });
});

describe('workflow retries, cron and continue-as-new', () => {
  it('retries a failing workflow under its retry policy', async () => {
    const workflowId = uniqueName('workflow-retry');
    const handle = await sdk.client.workflow.start('failUntilAttemptWorkflow', {
      taskQueue,
      workflowId,
      args: [3],
      retry: { initialInterval: '100ms', backoffCoefficient: 1, maximumAttempts: 5 },
    });
    expect(await handle.result()).toBe(3);

    const runs = await runChain(workflowId, handle.firstExecutionRunId);
    expect(runs.map((run) => types(run.events).at(-1))).toEqual([
      'WORKFLOW_EXECUTION_FAILED',
      'WORKFLOW_EXECUTION_FAILED',
      'WORKFLOW_EXECUTION_COMPLETED',
    ]);
    const [first, second, third] = runs as [(typeof runs)[0], (typeof runs)[0], (typeof runs)[0]];
    const failed = first.events.at(-1)!.workflowExecutionFailedEventAttributes!;
    expect(failed.newExecutionRunId).toBe(second.runId);
    expect(failed.retryState).toBe(RetryState.RETRY_STATE_IN_PROGRESS);
    expect(failed.failure?.message).toBe('workflow attempt 1 fails');

    const retried = second.events[0]!.workflowExecutionStartedEventAttributes!;
    expect(retried.attempt).toBe(2);
    expect(retried.initiator).toBe(ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_RETRY);
    expect(retried.continuedExecutionRunId).toBe(first.runId);
    expect(retried.firstExecutionRunId).toBe(first.runId);
    expect(retried.originalExecutionRunId).toBe(second.runId);
    expect(retried.continuedFailure?.message).toBe('workflow attempt 1 fails');
    expect(durationMs(retried.firstWorkflowTaskBackoff)).toBeGreaterThanOrEqual(100);
    // Upstream starts a workflow's runs at least a second apart, stretching the 100 ms interval.
    expect(firstTaskSpacingMs(first.events, second.events)).toBeGreaterThanOrEqual(990);
    expect(third.events[0]!.workflowExecutionStartedEventAttributes!.attempt).toBe(3);
    expect(decode(third.events.at(-1)!.workflowExecutionCompletedEventAttributes!.result)).toEqual([3]);
  });

  it('runs a cron chain until its execution timeout', async () => {
    const workflowId = uniqueName('cron');
    const handle = await sdk.client.workflow.start('cronCounterWorkflow', {
      taskQueue,
      workflowId,
      cronSchedule: '@every 1s',
      workflowExecutionTimeout: '3500ms',
    });
    const err = await rejection(handle.result());
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(TimeoutFailure);

    const runs = await runChain(workflowId, handle.firstExecutionRunId);
    const closes = runs.map((run) => types(run.events).at(-1));
    expect(closes.at(-1)).toBe('WORKFLOW_EXECUTION_TIMED_OUT');
    const completed = runs.slice(0, -1);
    expect(completed.length).toBeGreaterThanOrEqual(2);
    expect(closes.slice(0, -1).every((close) => close === 'WORKFLOW_EXECUTION_COMPLETED')).toBe(true);

    const firstStarted = runs[0]!.events[0]!.workflowExecutionStartedEventAttributes!;
    expect(firstStarted.cronSchedule).toBe('@every 1s');
    expect(firstStarted.initiator).toBe(ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE);
    // The first run waits for the schedule's first tick.
    expect(durationMs(firstStarted.firstWorkflowTaskBackoff)).toBeGreaterThan(0);
    expect(durationMs(firstStarted.firstWorkflowTaskBackoff)).toBeLessThanOrEqual(1000);

    completed.forEach((run, i) => {
      const close = run.events.at(-1)!.workflowExecutionCompletedEventAttributes!;
      expect(close.newExecutionRunId).toBe(runs[i + 1]!.runId);
      expect(decode(close.result)).toEqual([{ run: i + 1, attempt: 1 }]);
      const next = runs[i + 1]!.events[0]!.workflowExecutionStartedEventAttributes!;
      expect(next.initiator).toBe(ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE);
      expect(next.continuedExecutionRunId).toBe(run.runId);
      expect(next.firstExecutionRunId).toBe(handle.firstExecutionRunId);
      expect(next.cronSchedule).toBe('@every 1s');
      expect(decode(next.lastCompletionResult)).toEqual([{ run: i + 1, attempt: 1 }]);
      expect(durationMs(next.firstWorkflowTaskBackoff)).toBeGreaterThan(0);
    });
  });

  it.each([
    // Was accepted by the frontend and then failed in history with INTERNAL.
    ['CRON_TZ=America/New_York 0 * * * *', 0],
    // A half-hour offset shows the hour is counted in the zone.
    ['TZ=Asia/Kolkata 0 * * * *', 30 * 60_000],
  ])('waits for the first fire time of %p', async (cronSchedule, offsetMs) => {
    const workflowId = uniqueName('cron-zone');
    const handle = await sdk.client.workflow.start('cronCounterWorkflow', { taskQueue, workflowId, cronSchedule });
    try {
      const [started] = await readHistory(sdk.connection, workflowId, handle.firstExecutionRunId);
      const attributes = started!.workflowExecutionStartedEventAttributes!;
      expect(attributes.cronSchedule).toBe(cronSchedule);
      const startMs = eventTimeMs(started!);
      const hourMs = 3_600_000;
      const firstFireMs = Math.floor((startMs + offsetMs) / hourMs) * hourMs + hourMs - offsetMs;
      // Upstream rounds the wait up to whole seconds.
      const backoffMs = durationMs(attributes.firstWorkflowTaskBackoff);
      expect(backoffMs % 1000).toBe(0);
      expect(Math.abs(backoffMs - Math.ceil((firstFireMs - startMs) / 1000) * 1000)).toBeLessThanOrEqual(1000);
    } finally {
      await handle.terminate();
    }
  });

  it('continues as new until done', async () => {
    const workflowId = uniqueName('continue-as-new');
    const handle = await sdk.client.workflow.start('continueAsNewCounterWorkflow', {
      taskQueue,
      workflowId,
      args: [0, 3],
    });
    expect(await handle.result()).toBe(3);

    const runs = await runChain(workflowId, handle.firstExecutionRunId);
    expect(runs.map((run) => types(run.events).at(-1))).toEqual([
      'WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
      'WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
      'WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
      'WORKFLOW_EXECUTION_COMPLETED',
    ]);
    expect(types(runs[0]!.events)).toEqual([
      'WORKFLOW_EXECUTION_STARTED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_COMPLETED',
      'WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
    ]);
    const continued = runs[0]!.events.at(-1)!.workflowExecutionContinuedAsNewEventAttributes!;
    expect(continued.newExecutionRunId).toBe(runs[1]!.runId);
    expect(continued.workflowType?.name).toBe('continueAsNewCounterWorkflow');
    expect(continued.taskQueue?.name).toBe(taskQueue);
    expect(decode(continued.input)).toEqual([1, 3]);

    const next = runs[1]!.events[0]!.workflowExecutionStartedEventAttributes!;
    expect(next.initiator).toBe(ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_WORKFLOW);
    expect(next.continuedExecutionRunId).toBe(runs[0]!.runId);
    expect(next.firstExecutionRunId).toBe(runs[0]!.runId);
    expect(next.attempt).toBe(1);
    expect(decode(next.input)).toEqual([1, 3]);
    // Upstream starts a workflow's runs at least a second apart: the new run's first task is backed off.
    for (let i = 1; i < runs.length; i++) {
      expect(firstTaskSpacingMs(runs[i - 1]!.events, runs[i]!.events)).toBeGreaterThanOrEqual(990);
    }
  });
});

describe('starting workflows', () => {
  it('delays the first workflow task by the start delay', async () => {
    const workflowId = uniqueName('start-delay');
    const handle = await sdk.client.workflow.start('sleepWorkflow', {
      taskQueue,
      workflowId,
      args: [0],
      startDelay: '1s',
    });
    const early = await readHistory(sdk.connection, workflowId);
    expect(types(early)).toEqual(['WORKFLOW_EXECUTION_STARTED']);
    expect(durationMs(early[0]!.workflowExecutionStartedEventAttributes!.firstWorkflowTaskBackoff)).toBe(1000);

    expect(await handle.result()).toBe('slept');
    const events = await readHistory(sdk.connection, workflowId);
    const scheduled = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)!;
    expect(eventTimeMs(scheduled) - eventTimeMs(events[0]!)).toBeGreaterThanOrEqual(1000);
  });

  it('applies the id conflict policy to a running workflow', async () => {
    const workflowId = uniqueName('conflict');
    const first = await sdk.client.workflow.start('sleepWorkflow', { taskQueue, workflowId, args: [30_000] });

    const err = await rejection(sdk.client.workflow.start('sleepWorkflow', { taskQueue, workflowId, args: [0] }));
    expect(err).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    expect((err as WorkflowExecutionAlreadyStartedError).workflowId).toBe(workflowId);

    const existing = await sdk.client.workflow.start('sleepWorkflow', {
      taskQueue,
      workflowId,
      args: [0],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    expect(existing.firstExecutionRunId).toBe(first.firstExecutionRunId);

    const replacement = await sdk.client.workflow.start('sleepWorkflow', {
      taskQueue,
      workflowId,
      args: [0],
      workflowIdConflictPolicy: 'TERMINATE_EXISTING',
    });
    expect(replacement.firstExecutionRunId).not.toBe(first.firstExecutionRunId);
    expect(await replacement.result()).toBe('slept');
    const terminated = await readHistory(sdk.connection, workflowId, first.firstExecutionRunId);
    expect(types(terminated).at(-1)).toBe('WORKFLOW_EXECUTION_TERMINATED');
    expect((await sdk.client.workflow.getHandle(workflowId, first.firstExecutionRunId).describe()).status.name).toBe(
      'TERMINATED',
    );
  });

  it('applies the id reuse policy to a closed workflow', async () => {
    const workflowId = uniqueName('reuse');
    // A run of over a second: upstream refuses to reuse an id within a second of its last start (too many starts).
    const first = await sdk.client.workflow.start('sleepWorkflow', { taskQueue, workflowId, args: [1000] });
    await first.result();

    const rejected = await rejection(
      sdk.client.workflow.start('sleepWorkflow', {
        taskQueue,
        workflowId,
        args: [0],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      }),
    );
    expect(rejected).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    const failedOnly = await rejection(
      sdk.client.workflow.start('sleepWorkflow', {
        taskQueue,
        workflowId,
        args: [0],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      }),
    );
    expect(failedOnly).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);

    const second = await sdk.client.workflow.start('sleepWorkflow', {
      taskQueue,
      workflowId,
      args: [0],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
    expect(second.firstExecutionRunId).not.toBe(first.firstExecutionRunId);
    expect(await second.result()).toBe('slept');
    const described = await sdk.client.workflow.getHandle(workflowId).describe();
    expect(described.runId).toBe(second.firstExecutionRunId);
  });

  it('deduplicates a start retried with the same request id', async () => {
    const workflowId = uniqueName('request-id');
    const request = {
      namespace: 'default',
      workflowId,
      workflowType: { name: 'sleepWorkflow' },
      taskQueue: { name: taskQueue },
      input: { payloads: [defaultPayloadConverter.toPayload(0)] },
      requestId: randomUUID(),
    };
    const first = await sdk.connection.workflowService.startWorkflowExecution(request);
    const again = await sdk.connection.workflowService.startWorkflowExecution(request);
    expect(first.started).toBe(true);
    expect(again.runId).toBe(first.runId);
    expect(again.started).toBe(true);
    expect(await sdk.client.workflow.getHandle(workflowId).result()).toBe('slept');
    const events = await readHistory(sdk.connection, workflowId, first.runId);
    expect(types(events).filter((type) => type === 'WORKFLOW_EXECUTION_STARTED')).toHaveLength(1);
  });
});

describe('describing workflows', () => {
  it('returns the memo given at start', async () => {
    const workflowId = uniqueName('memo');
    const handle = await sdk.client.workflow.start('sleepWorkflow', {
      taskQueue,
      workflowId,
      args: [0],
      memo: { owner: 'lifecycle tests', priority: 2 },
    });
    await handle.result();
    const description = await handle.describe();
    expect(description.memo).toEqual({ owner: 'lifecycle tests', priority: 2 });
    const started = (await readHistory(sdk.connection, workflowId))[0]!.workflowExecutionStartedEventAttributes!;
    expect(Object.keys(started.memo?.fields ?? {}).sort()).toEqual(['owner', 'priority']);
  });

  it('shows a pending activity with its attempt and last failure', async () => {
    const workflowId = uniqueName('pending-activity');
    const gate = activities.expectSecondAttempt(workflowId);
    const handle = await sdk.client.workflow.start('pendingActivityWorkflow', { taskQueue, workflowId });
    await gate.started;

    const description = await sdk.connection.workflowService.describeWorkflowExecution({
      namespace: 'default',
      execution: { workflowId, runId: handle.firstExecutionRunId },
    });
    expect(description.workflowExecutionInfo?.status).toBe(
      protos.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
    );
    expect(description.pendingActivities).toHaveLength(1);
    const pending = description.pendingActivities![0]!;
    expect(pending.activityId).toBe('1');
    expect(pending.activityType?.name).toBe('failOnceThenWait');
    expect(pending.state).toBe(PendingActivityState.PENDING_ACTIVITY_STATE_STARTED);
    expect(pending.attempt).toBe(2);
    expect(pending.maximumAttempts).toBe(5);
    expect(pending.lastFailure?.message).toBe('first attempt fails');
    expect(pending.lastFailure?.applicationFailureInfo?.type).toBe('Flaky');
    expect(pending.lastStartedTime).toBeTruthy();
    expect(pending.lastWorkerIdentity).toBe(sdk.worker.worker.options.identity);

    gate.release();
    expect(await handle.result()).toBe(2);
    const closed = await handle.describe();
    expect(closed.status.name).toBe('COMPLETED');
    const raw = await sdk.connection.workflowService.describeWorkflowExecution({
      namespace: 'default',
      execution: { workflowId },
    });
    expect(raw.pendingActivities ?? []).toHaveLength(0);
  });
});

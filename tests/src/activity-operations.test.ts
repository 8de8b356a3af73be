// DescribeWorkflowExecution's complete answer, UpdateWorkflowExecutionOptions, and the activity operations
// (PauseActivity, UnpauseActivity, ResetActivity, UpdateActivityOptions) through the official client on a retrying
// activity: attempts the worker sees, describe's pending-activity fields, heartbeat responses, validation errors and
// a paused activity surviving a kill -9. Runs against the official dev server too with TEMPORA_TEST_ORACLE (except
// the restart test).
import { afterAll, describe, expect, it } from '@jest/globals';
import { Context } from '@temporalio/activity';
import { Client, Connection } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import protos, { type temporal } from '@temporalio/proto';
import Long from 'long';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { devServerOnNewFile, findTemporalCli, grpcFailure, startCli, uniqueName, type Started } from './helpers.js';
import { bundleWorkflows, installRuntime, readHistory, runWorker, useSdkTarget } from './sdk-support.js';

const { PendingActivityState, EventType } = protos.temporal.api.enums.v1;
const ORACLE = Boolean(process.env.TEMPORA_TEST_ORACLE);
const run = promisify(execFile);

/** Attempts each workflow's activity ran, and waiters for the next one. */
const attemptsSeen = new Map<string, number[]>();
const attemptWaiters = new Map<string, Array<{ count: number; resolve: () => void }>>();
/** What a cancelled heartbeating attempt was told, by workflow id. */
const cancellations = new Map<string, { paused: boolean; reset: boolean; cancelRequested: boolean }>();

function recordAttempt(): number {
  const ctx = Context.current();
  const workflowId = ctx.info.workflowExecution!.workflowId;
  const seen = [...(attemptsSeen.get(workflowId) ?? []), ctx.info.attempt];
  attemptsSeen.set(workflowId, seen);
  for (const w of attemptWaiters.get(workflowId) ?? []) if (seen.length >= w.count) w.resolve();
  return ctx.info.attempt;
}

/** Resolves once the workflow's activity has run `count` attempts in all. */
function attemptsRun(workflowId: string, count: number): Promise<void> {
  if ((attemptsSeen.get(workflowId)?.length ?? 0) >= count) return Promise.resolve();
  return new Promise((resolve) => {
    attemptWaiters.set(workflowId, [...(attemptWaiters.get(workflowId) ?? []), { count, resolve }]);
  });
}

const activities = {
  /** Fails every attempt before `succeedOnAttempt`. */
  async flaky(succeedOnAttempt: number): Promise<number> {
    const attempt = recordAttempt();
    if (attempt < succeedOnAttempt) throw ApplicationFailure.retryable(`attempt ${attempt} failed`, 'Flaky');
    return attempt;
  },
  /** The first attempt heartbeats until cancelled (and records why); later attempts return at once. */
  async beatUntilCancelled(): Promise<string> {
    const ctx = Context.current();
    if (recordAttempt() > 1) return 'done';
    const beat = setInterval(() => ctx.heartbeat(), 50);
    try {
      ctx.heartbeat();
      return await ctx.cancelled;
    } catch (err) {
      const d = ctx.cancellationDetails;
      cancellations.set(ctx.info.workflowExecution!.workflowId, {
        paused: d?.paused ?? false,
        reset: d?.reset ?? false,
        cancelRequested: d?.cancelRequested ?? false,
      });
      throw err;
    } finally {
      clearInterval(beat);
    }
  },
};

const taskQueue = uniqueName('activity-ops');
const sdk = useSdkTarget({ taskQueue, activities });

type Describe = temporal.api.workflowservice.v1.IDescribeWorkflowExecutionResponse;
const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : undefined;

async function describeRun(workflowId: string): Promise<Describe> {
  return sdk.connection.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId } });
}

/** Describes until the run's only pending activity satisfies `check`. */
async function pendingActivityWhen(
  workflowId: string,
  check: (a: temporal.api.workflow.v1.IPendingActivityInfo) => boolean,
): Promise<temporal.api.workflow.v1.IPendingActivityInfo> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const activity = (await describeRun(workflowId)).pendingActivities?.[0];
    if (activity && check(activity)) return activity;
    if (Date.now() > deadline) throw new Error(`pending activity never matched: ${JSON.stringify(activity)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function startFlaky(workflowId: string, succeedOnAttempt: number, initialInterval = '2s') {
  return sdk.client.workflow.start('activityOutcomeWorkflow', {
    taskQueue,
    workflowId,
    args: [
      'flaky',
      [succeedOnAttempt],
      { startToCloseTimeout: '10s', retry: { initialInterval, backoffCoefficient: 1 } },
    ],
  });
}

describe('DescribeWorkflowExecution', () => {
  it('counts state transitions, records the auto reset point and reports the extended info', async () => {
    const workflowId = uniqueName('describe');
    const handle = await sdk.client.workflow.start('sleepWorkflow', {
      taskQueue,
      workflowId,
      args: [10],
      workflowExecutionTimeout: '1h',
    });
    await handle.result();
    const d = await describeRun(workflowId);
    const info = d.workflowExecutionInfo!;
    // Start, first task started, its completion with the timer, the timer firing, the second task started and
    // completed: six writes of the run, as on the official server.
    expect(Number(info.stateTransitionCount)).toBe(6);
    expect(Number(info.historyLength)).toBe(10);
    const points = info.autoResetPoints?.points ?? [];
    expect(points).toHaveLength(1);
    expect(points[0]).toMatchObject({ runId: info.execution!.runId, resettable: true });
    expect(Number(points[0]!.firstWorkflowTaskCompletedId)).toBe(4);
    // The SDK sends its build id as the binary checksum or, to a server advertising build-id versioning, in the
    // worker version stamp; the point keeps whichever it got.
    expect(points[0]!.buildId || points[0]!.binaryChecksum).toMatch(/^@temporalio\/worker@1\.24\.0/);

    const ext = d.workflowExtendedInfo!;
    const start = ms(info.startTime)!;
    expect(ms(ext.originalStartTime)).toBe(start);
    expect(Math.abs(ms(ext.executionExpirationTime)! - start - 3_600_000)).toBeLessThan(1_000);
    expect(Math.abs(ms(ext.runExpirationTime)! - start - 3_600_000)).toBeLessThan(1_000);
    expect(ext.cancelRequested ?? false).toBe(false);
    const requestIds = Object.values(ext.requestIdInfos ?? {});
    expect(requestIds).toHaveLength(1);
    expect(requestIds[0]).toMatchObject({ eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED });
    expect(Number(requestIds[0]!.eventId)).toBe(1);

    // A reset run names its reset time and keeps the original start; the base run names the reset run.
    const { runId: resetRunId } = await sdk.connection.workflowService.resetWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId, runId: info.execution!.runId },
      workflowTaskFinishEventId: Long.fromNumber(4),
      requestId: uniqueName('reset'),
      reason: 'test',
    });
    const reset = await sdk.connection.workflowService.describeWorkflowExecution({
      namespace: 'default',
      execution: { workflowId, runId: resetRunId },
    });
    expect(ms(reset.workflowExtendedInfo?.originalStartTime)).toBe(start);
    expect(ms(reset.workflowExtendedInfo?.lastResetTime)).toBeGreaterThanOrEqual(ms(info.closeTime)!);
    const base = await sdk.connection.workflowService.describeWorkflowExecution({
      namespace: 'default',
      execution: { workflowId, runId: info.execution!.runId },
    });
    expect(base.workflowExtendedInfo?.resetRunId).toBe(resetRunId);
    await sdk.client.workflow.getHandle(workflowId, resetRunId).result();
    // The reset run's reset points are its own: the base run's are not carried over.
    const resetDone = await sdk.connection.workflowService.describeWorkflowExecution({
      namespace: 'default',
      execution: { workflowId, runId: resetRunId },
    });
    const resetPoints = resetDone.workflowExecutionInfo?.autoResetPoints?.points ?? [];
    expect(resetPoints.map((p) => [p.runId, Number(p.firstWorkflowTaskCompletedId)])).toEqual([[resetRunId, 7]]);
  });
});

describe('UpdateWorkflowExecutionOptions', () => {
  it('merges the masked options, writes an event per change and validates the mask and the override', async () => {
    const workflowId = uniqueName('options');
    const svc = sdk.connection.workflowService;
    // No worker polls this queue: the run just waits.
    await svc.startWorkflowExecution({
      namespace: 'default',
      workflowId,
      workflowType: { name: 'sleepWorkflow' },
      taskQueue: { name: `${taskQueue}-nobody` },
      requestId: uniqueName('start'),
    });
    const workflowExecution = { workflowId };
    const update = (options: object, paths?: string[]) =>
      svc.updateWorkflowExecutionOptions({
        namespace: 'default',
        workflowExecution,
        workflowExecutionOptions: options,
        updateMask: paths && { paths },
      });
    expect((await update({ priority: { priorityKey: 2 } }, ['priority'])).workflowExecutionOptions).toMatchObject({
      priority: { priorityKey: 2 },
    });
    const merged = await update(
      { priority: { priorityKey: 3, fairnessKey: 'k' }, versioningOverride: { autoUpgrade: true } },
      ['priority.priority_key', 'versioning_override'],
    );
    expect(merged.workflowExecutionOptions?.priority).toMatchObject({ priorityKey: 3 });
    expect(merged.workflowExecutionOptions?.priority?.fairnessKey ?? '').toBe('');
    expect(merged.workflowExecutionOptions?.versioningOverride?.autoUpgrade).toBe(true);
    // Unchanged options write nothing.
    await update({ priority: { priorityKey: 3 } }, ['priority.priority_key']);

    expect(await grpcFailure(update({ priority: {} }))).toMatchObject({ code: 3, message: 'UpdateMask is required' });
    // Go's protobuf errors put a random no-break space after "proto:", so only the rest is compared.
    const badPath = await grpcFailure(update({}, ['bogus']));
    expect(badPath.code).toBe(3);
    expect(badPath.message).toMatch(
      /^error parsing UpdateMask: proto:.invalid path "bogus" for message "temporal\.api\.workflow\.v1\.WorkflowExecutionOptions"$/,
    );
    const pinned = await grpcFailure(
      update({ versioningOverride: { pinned: { behavior: 1, version: { deploymentName: 'd', buildId: 'b' } } } }, [
        'versioning_override',
      ]),
    );
    expect(pinned).toMatchObject({
      code: 9,
      message: `Pinned version 'd:b' is not present in task queue '${taskQueue}-nobody' of type 'Workflow'`,
    });

    const d = await describeRun(workflowId);
    expect(d.workflowExecutionInfo?.priority).toMatchObject({ priorityKey: 3 });
    // The start and two changes.
    expect(Number(d.workflowExecutionInfo?.stateTransitionCount)).toBe(3);
    const events = await readHistory(sdk.connection, workflowId);
    const updates = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED);
    expect(updates.map((e) => e.workflowExecutionOptionsUpdatedEventAttributes)).toMatchObject([
      { unsetVersioningOverride: true, priority: { priorityKey: 2 } },
      { versioningOverride: { autoUpgrade: true }, priority: { priorityKey: 3 } },
    ]);
    await sdk.client.workflow.getHandle(workflowId).terminate();
    expect((await grpcFailure(update({ priority: {} }, ['priority']))).code).toBe(5);
  });
});

describe('activity operations', () => {
  it('pauses a retrying activity (no attempt while paused), updates its options, resets and unpauses it', async () => {
    const workflowId = uniqueName('pause');
    const svc = sdk.connection.workflowService;
    const handle = await startFlaky(workflowId, 100);
    await attemptsRun(workflowId, 1);

    const retrying = await pendingActivityWhen(workflowId, (a) => a.attempt === 2);
    expect(retrying.state).toBe(PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED);
    expect(retrying.lastFailure?.message).toBe('attempt 1 failed');
    expect(Math.round(ms(retrying.currentRetryInterval as never)! / 100)).toBe(20);
    expect(ms(retrying.nextAttemptScheduleTime)! - ms(retrying.lastAttemptCompleteTime)!).toBeGreaterThanOrEqual(1_990);
    expect(retrying.activityOptions?.startToCloseTimeout?.seconds?.toString()).toBe('10');
    expect(retrying.activityOptions?.retryPolicy?.initialInterval?.seconds?.toString()).toBe('2');

    await svc.pauseActivity({
      namespace: 'default',
      execution: { workflowId },
      id: '1',
      identity: 'ops',
      reason: 'why',
    });
    const paused = (await describeRun(workflowId)).pendingActivities![0]!;
    expect(paused).toMatchObject({
      state: PendingActivityState.PENDING_ACTIVITY_STATE_PAUSED,
      paused: true,
      attempt: 2,
      pauseInfo: { manual: { identity: 'ops', reason: 'why' } },
    });
    expect(paused.nextAttemptScheduleTime ?? undefined).toBeUndefined();
    // Pausing twice changes nothing.
    await svc.pauseActivity({ namespace: 'default', execution: { workflowId }, id: '1', identity: 'other' });
    expect((await describeRun(workflowId)).pendingActivities![0]!.pauseInfo?.manual?.identity).toBe('ops');

    // The retry was due 2 s after the failure: a second attempt would have run by now if pause did not hold it.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(attemptsSeen.get(workflowId)).toEqual([1]);

    const updated = await svc.updateActivityOptions({
      namespace: 'default',
      execution: { workflowId },
      id: '1',
      activityOptions: { retryPolicy: { maximumAttempts: 2 } },
      updateMask: { paths: ['retry_policy.maximum_attempts'] },
    });
    expect(updated.activityOptions?.retryPolicy).toMatchObject({ maximumAttempts: 2 });
    expect(updated.activityOptions?.retryPolicy?.initialInterval?.seconds?.toString()).toBe('2');

    await svc.resetActivity({ namespace: 'default', execution: { workflowId }, id: '1', keepPaused: true });
    const reset = (await describeRun(workflowId)).pendingActivities![0]!;
    expect(reset).toMatchObject({ attempt: 1, paused: true, maximumAttempts: 2 });
    expect(reset.lastFailure ?? undefined).toBeUndefined();

    await svc.unpauseActivity({ namespace: 'default', execution: { workflowId }, id: '1' });
    // Attempt 1 again (reset), then attempt 2, the last one the updated policy allows.
    const outcome = (await handle.result()) as { failure?: { retryState?: string; cause?: { message: string } } };
    expect(attemptsSeen.get(workflowId)).toEqual([1, 1, 2]);
    expect(outcome.failure?.retryState).toBe('MAXIMUM_ATTEMPTS_REACHED');
    expect(outcome.failure?.cause?.message).toBe('attempt 2 failed');
  }, 60_000);

  it('tells a running attempt it is paused in the heartbeat response, and its retry waits for unpause', async () => {
    const workflowId = uniqueName('beat');
    const svc = sdk.connection.workflowService;
    const handle = await sdk.client.workflow.start('activityOutcomeWorkflow', {
      taskQueue,
      workflowId,
      args: [
        'beatUntilCancelled',
        [],
        { startToCloseTimeout: '30s', heartbeatTimeout: '2s', retry: { initialInterval: '100ms' } },
      ],
    });
    await attemptsRun(workflowId, 1);
    await pendingActivityWhen(workflowId, (a) => a.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED);
    await svc.pauseActivity({ namespace: 'default', execution: { workflowId }, type: 'beatUntilCancelled' });
    const waiting = await pendingActivityWhen(
      workflowId,
      (a) => a.state === PendingActivityState.PENDING_ACTIVITY_STATE_PAUSED,
    );
    expect(cancellations.get(workflowId)).toEqual({ paused: true, reset: false, cancelRequested: false });
    expect(waiting).toMatchObject({ attempt: 2, paused: true });
    expect(attemptsSeen.get(workflowId)).toEqual([1]);

    await svc.unpauseActivity({ namespace: 'default', execution: { workflowId }, type: 'beatUntilCancelled' });
    expect(await handle.result()).toEqual({ result: 'done' });
    expect(attemptsSeen.get(workflowId)).toEqual([1, 2]);
  }, 60_000);

  it('holds back a task that was already in the queue when the activity was paused', async () => {
    const workflowId = uniqueName('queued');
    const activityQueue = uniqueName('activity-ops-later');
    const svc = sdk.connection.workflowService;
    // No worker polls the activity's queue yet: its first attempt waits there.
    const handle = await sdk.client.workflow.start('activityOutcomeWorkflow', {
      taskQueue,
      workflowId,
      args: ['flaky', [1], { taskQueue: activityQueue, startToCloseTimeout: '10s' }],
    });
    await pendingActivityWhen(workflowId, () => true);
    await svc.pauseActivity({ namespace: 'default', execution: { workflowId }, id: '1' });
    const worker = await runWorker(sdk.address, { taskQueue: activityQueue, activities });
    try {
      // The worker's polls get the queued task only to have it refused: it is paused.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(attemptsSeen.get(workflowId)).toBeUndefined();
      await svc.unpauseActivity({ namespace: 'default', execution: { workflowId }, id: '1' });
      expect(await handle.result()).toEqual({ result: 1 });
    } finally {
      await worker.stop();
    }
  });

  it('answers NOT_FOUND for an unknown activity and INVALID_ARGUMENT for a bad request', async () => {
    const workflowId = uniqueName('invalid');
    const svc = sdk.connection.workflowService;
    const handle = await startFlaky(workflowId, 100, '30s');
    await attemptsRun(workflowId, 1);
    const execution = { workflowId };

    const unknownId = await grpcFailure(svc.pauseActivity({ namespace: 'default', execution, id: 'nope' }));
    expect(unknownId).toMatchObject({
      code: 5,
      message: "Can't find pending activity with such ID. Invalid activityID or activity already completed",
    });
    const unknownType = await grpcFailure(svc.unpauseActivity({ namespace: 'default', execution, type: 'nope' }));
    expect(unknownType.code).toBe(5);
    const noSelector = await grpcFailure(svc.resetActivity({ namespace: 'default', execution }));
    expect(noSelector).toMatchObject({
      code: 3,
      message: 'Either Activity.Id or Activity.Type should be set on request.',
    });
    const noMask = await grpcFailure(
      svc.updateActivityOptions({ namespace: 'default', execution, id: '1', activityOptions: {} }),
    );
    expect(noMask).toMatchObject({ code: 3, message: 'UpdateMask is not provided' });
    const unknownWorkflow = await grpcFailure(
      svc.pauseActivity({ namespace: 'default', execution: { workflowId: uniqueName('missing') }, id: '1' }),
    );
    expect(unknownWorkflow.code).toBe(5);
    if (!ORACLE) {
      // The official server ignores mask paths it does not know; Tempora names them.
      const badMask = await grpcFailure(
        svc.updateActivityOptions({
          namespace: 'default',
          execution,
          id: '1',
          activityOptions: {},
          updateMask: { paths: ['retry_policy.bogus'] },
        }),
      );
      expect(badMask).toMatchObject({ code: 3, message: expect.stringContaining('retryPolicy.bogus') as unknown });
    }
    if (!ORACLE) {
      // The *ActivityExecution successors name a workflow activity; Tempora has no standalone activities.
      const standalone = await grpcFailure(svc.pauseActivityExecution({ namespace: 'default', activityId: '1' }));
      expect(standalone).toMatchObject({ code: 3, message: expect.stringContaining('standalone') as unknown });
    }
    await handle.terminate();
    const closed = await grpcFailure(svc.pauseActivity({ namespace: 'default', execution, id: '1' }));
    expect(closed.code).toBe(5);
  });
});

const cli = findTemporalCli();

(cli ? describe : describe.skip)('temporal activity (the *ActivityExecution RPCs the CLI calls)', () => {
  it('pauses, updates, resets and unpauses an activity by id, and names an unknown one', async () => {
    const workflowId = uniqueName('cli');
    const handle = await startFlaky(workflowId, 100, '30s');
    await attemptsRun(workflowId, 1);
    const temporal = (...args: string[]) =>
      run(cli!, ['activity', ...args, '--workflow-id', workflowId, '--address', sdk.address]);
    await temporal('pause', '--activity-id', '1', '--reason', 'from cli', '--identity', 'cli-user');
    expect((await describeRun(workflowId)).pendingActivities![0]).toMatchObject({
      paused: true,
      pauseInfo: { manual: { identity: 'cli-user', reason: 'from cli' } },
    });
    await temporal('update-options', '--activity-id', '1', '--start-to-close-timeout', '45s');
    await temporal('reset', '--activity-id', '1', '--keep-paused');
    const reset = (await describeRun(workflowId)).pendingActivities![0]!;
    expect(reset).toMatchObject({ attempt: 1, paused: true });
    expect(reset.activityOptions?.startToCloseTimeout?.seconds?.toString()).toBe('45');
    await temporal('unpause', '--activity-id', '1');
    await attemptsRun(workflowId, 2);
    await expect(temporal('pause', '--activity-id', '9')).rejects.toMatchObject({
      stderr: expect.stringContaining("Can't find pending activity with such ID") as unknown,
    });
    await handle.terminate();
  });
});

const servers: Started[] = [];
afterAll(() => {
  for (const s of servers) s.child.kill('SIGKILL');
});

(ORACLE ? describe.skip : describe)('a paused activity across a restart', () => {
  it('stays paused after kill -9 and a restart on the same file, and unpauses there', async () => {
    installRuntime();
    const { address, args } = await devServerOnNewFile('pause');
    const first = await startCli(args);
    servers.push(first);
    const queue = uniqueName('pause-restart');
    const worker = await runWorker(address, { taskQueue: queue, workflowBundle: await bundleWorkflows() });
    const connection = await Connection.connect({ address });
    const client = new Client({ connection, namespace: 'default' });
    const workflowId = uniqueName('paused');
    // The activity's queue has no worker: it stays scheduled.
    await client.workflow.start('activityOutcomeWorkflow', {
      taskQueue: queue,
      workflowId,
      args: ['echo', ['x'], { taskQueue: `${queue}-nobody`, startToCloseTimeout: '10s' }],
    });
    const svc = connection.workflowService;
    const describeActivity = async () =>
      (await svc.describeWorkflowExecution({ namespace: 'default', execution: { workflowId } })).pendingActivities?.[0];
    for (let i = 0; !(await describeActivity()); i++) {
      if (i > 300) throw new Error('the activity was never scheduled');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await svc.pauseActivity({ namespace: 'default', execution: { workflowId }, id: '1', identity: 'ops', reason: 'r' });
    await worker.stop();

    first.child.kill('SIGKILL');
    await first.exited;
    const second = await startCli(args);
    servers.push(second);

    expect(await describeActivity()).toMatchObject({
      state: PendingActivityState.PENDING_ACTIVITY_STATE_PAUSED,
      paused: true,
      pauseInfo: { manual: { identity: 'ops', reason: 'r' } },
    });
    await svc.unpauseActivity({ namespace: 'default', execution: { workflowId }, id: '1' });
    expect(await describeActivity()).toMatchObject({
      state: PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED,
      paused: false,
    });
    await client.workflow.getHandle(workflowId).terminate();
    await connection.close();
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 120_000);
});

// Schedules through the official TypeScript client: the scheduler workflows the worker service runs in each
// schedule's namespace, with short intervals (1-2 s) instead of long waits.
import { describe, expect, it } from '@jest/globals';
import {
  Client,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type ScheduleDescription,
} from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import Long from 'long';
import { eventually, uniqueName } from './helpers.js';
import { useSdkTarget } from './sdk-support.js';

const taskQueue = uniqueName('schedules');
const target = useSdkTarget({ taskQueue, workflows: 'schedules' });

function client(): Client {
  return new Client({ connection: target.connection });
}

async function waitForActions(id: string, count: number, timeoutMs = 20_000): Promise<ScheduleDescription> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await client().schedule.getHandle(id).describe();
    if (d.info.numActionsTaken >= count) return d;
    if (Date.now() > deadline) throw new Error(`schedule ${id}: ${d.info.numActionsTaken} actions, wanted ${count}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('schedules', () => {
  it('creates, describes, fires on an interval, lists, pauses, triggers and deletes', async () => {
    const scheduleId = uniqueName('basic');
    const workflowId = uniqueName('wf');
    const handle = await client().schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1s' }] },
      action: { type: 'startWorkflow', workflowType: 'completesWorkflow', taskQueue, workflowId, args: [] },
      memo: { team: 'a' },
    });
    const d = await waitForActions(scheduleId, 2);
    expect(d.scheduleId).toBe(scheduleId);
    expect(d.memo).toEqual({ team: 'a' });
    expect(d.info.recentActions.length).toBeGreaterThanOrEqual(2);
    const first = d.info.recentActions[0]!;
    expect(first.action.workflow.workflowId).toMatch(
      new RegExp(`^${workflowId}-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`),
    );
    expect(d.info.nextActionTimes.length).toBe(10);
    expect(d.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);

    const started = await client().workflow.getHandle(first.action.workflow.workflowId).describe();
    expect(started.searchAttributes['TemporalScheduledById']).toEqual([scheduleId]);
    expect(started.searchAttributes['TemporalScheduledStartTime']).toHaveLength(1);

    await eventually(async () => {
      const ids: string[] = [];
      for await (const s of client().schedule.list()) ids.push(s.scheduleId);
      expect(ids).toContain(scheduleId);
    });
    // The scheduler workflow is hidden from an ordinary workflow list.
    const listed: string[] = [];
    for await (const wf of client().workflow.list({ query: `WorkflowId = 'temporal-sys-scheduler:${scheduleId}'` })) {
      listed.push(wf.workflowId);
    }
    expect(listed).toEqual([]);

    await handle.pause('maintenance');
    let paused = await handle.describe();
    expect(paused.state.paused).toBe(true);
    expect(paused.state.note).toBe('maintenance');
    const countAtPause = paused.info.numActionsTaken;
    await new Promise((r) => setTimeout(r, 2_500));
    paused = await handle.describe();
    expect(paused.info.numActionsTaken).toBe(countAtPause);

    await handle.trigger();
    await waitForActions(scheduleId, countAtPause + 1);
    await handle.unpause('back');
    expect((await handle.describe()).state.note).toBe('back');

    await handle.delete();
    const err = await handle.describe().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScheduleNotFoundError);
  });

  it('answers ALREADY_EXISTS for a duplicate create and NOT_FOUND for an unknown id', async () => {
    const scheduleId = uniqueName('dup');
    const options = {
      scheduleId,
      spec: { intervals: [{ every: '1h' }] },
      action: { type: 'startWorkflow' as const, workflowType: 'completesWorkflow', taskQueue, args: [] },
    };
    const handle = await client().schedule.create(options);
    await expect(client().schedule.create(options)).rejects.toBeInstanceOf(ScheduleAlreadyRunning);
    await handle.delete();
    await expect(client().schedule.getHandle(uniqueName('missing')).describe()).rejects.toBeInstanceOf(
      ScheduleNotFoundError,
    );
  });

  it('keeps and describes the spec in canonical form: a cron string becomes a structured calendar', async () => {
    const scheduleId = uniqueName('canonical');
    const handle = await client().schedule.create({
      scheduleId,
      spec: { cronExpressions: ['CRON_TZ=America/New_York 30 12 * * MON-FRI'] },
      action: { type: 'startWorkflow', workflowType: 'completesWorkflow', taskQueue, workflowId: uniqueName('wf') },
      state: { paused: true },
    });
    try {
      const { spec } = await handle.describe();
      // What the Web UI reads, as upstream answers it: the cron string's zone is the spec's.
      expect(spec.timezone).toBe('America/New_York');
      expect(spec.calendars).toHaveLength(1);
      expect(spec.calendars![0]!.hour).toEqual([{ start: 12, end: 12, step: 1 }]);
      expect(spec.calendars![0]!.minute).toEqual([{ start: 30, end: 30, step: 1 }]);
      expect(spec.calendars![0]!.dayOfWeek).toEqual([{ start: 'MONDAY', end: 'FRIDAY', step: 1 }]);
    } finally {
      await handle.delete();
    }
  });

  it('rejects bad specs with upstream messages', async () => {
    const base = {
      action: { type: 'startWorkflow' as const, workflowType: 'completesWorkflow', taskQueue, args: [] },
    };
    await expect(
      client().schedule.create({ ...base, scheduleId: uniqueName('bad'), spec: { cronExpressions: ['not a cron'] } }),
    ).rejects.toThrow(new TypeError('CronString does not have 5-7 fields'));
    await expect(
      client().schedule.create({
        ...base,
        scheduleId: uniqueName('bad'),
        spec: { intervals: [{ every: '1h' }], timezone: 'Mars/Olympus' },
      }),
    ).rejects.toThrow(/unknown time zone Mars\/Olympus/);
    await expect(
      client().schedule.create({ ...base, scheduleId: uniqueName('bad'), spec: { intervals: [{ every: '-5s' }] } }),
    ).rejects.toThrow(TypeError);
    // A schedule without an action is accepted (the official server's answer); it starts nothing.
    const noAction = uniqueName('no-action');
    await target.connection.workflowService.createSchedule({
      namespace: 'default',
      scheduleId: noAction,
      requestId: uniqueName('req'),
      schedule: { spec: { interval: [{ interval: { seconds: Long.fromNumber(60) } }] } },
    });
    const described = await target.connection.workflowService.describeSchedule({
      namespace: 'default',
      scheduleId: noAction,
    });
    expect(described.schedule?.action?.startWorkflow).toBeFalsy();
    await client().schedule.getHandle(noAction).delete();
  });

  it('updates a schedule and takes limited actions', async () => {
    const scheduleId = uniqueName('upd');
    const handle = await client().schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1h' }] },
      action: { type: 'startWorkflow', workflowType: 'completesWorkflow', taskQueue, args: [] },
    });
    await handle.update((prev) => ({
      ...prev,
      spec: { intervals: [{ every: '1s' }] },
      state: { ...prev.state, remainingActions: 2 },
    }));
    await waitForActions(scheduleId, 2);
    await new Promise((r) => setTimeout(r, 2_000));
    const d = await handle.describe();
    expect(d.info.numActionsTaken).toBe(2);
    expect(d.state.remainingActions).toBe(0);
    expect(d.spec.intervals?.[0]?.every).toBe(1000);
    await handle.delete();
  });

  it('backfills and lists matching times', async () => {
    const scheduleId = uniqueName('bf');
    const handle = await client().schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1m' }] },
      action: { type: 'startWorkflow', workflowType: 'completesWorkflow', taskQueue, args: [] },
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
    });
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    await handle.backfill({
      start: new Date(now - 5 * 60_000),
      end: new Date(now - 3 * 60_000 - 1),
      overlap: ScheduleOverlapPolicy.ALLOW_ALL,
    });
    await waitForActions(scheduleId, 2);
    const times: temporal.api.workflowservice.v1.IListScheduleMatchingTimesResponse =
      await target.connection.workflowService.listScheduleMatchingTimes({
        namespace: 'default',
        scheduleId,
        startTime: { seconds: Long.fromNumber(Math.floor(now / 1000)) },
        endTime: { seconds: Long.fromNumber(Math.floor(now / 1000) + 300) },
      });
    expect(times.startTime?.length).toBe(5);
    await handle.delete();
  });

  it('skips overlapping runs and pauses on failure', async () => {
    const scheduleId = uniqueName('skip');
    const handle = await client().schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1s' }] },
      action: { type: 'startWorkflow', workflowType: 'failsWorkflow', taskQueue, args: [] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, pauseOnFailure: true },
    });
    const d = await eventually(async () => {
      const d = await handle.describe();
      expect(d.state.paused).toBe(true);
      return d;
    });
    expect(d.state.note).toMatch(/^paused due to workflow failure: /);
    await handle.delete();
  });
  /** The workflows a schedule started, oldest first, with their start and close times. */
  async function startedRuns(d: ScheduleDescription) {
    return Promise.all(
      d.info.recentActions.map(async (a) => {
        const wf = await client().workflow.getHandle(a.action.workflow.workflowId).describe();
        return { scheduledAt: a.scheduledAt.getTime(), id: wf.workflowId, ...wf };
      }),
    );
  }

  it('buffer one: one start waits for the running workflow, the others are skipped', async () => {
    const scheduleId = uniqueName('buffer-one');
    const handle = await client().schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1s' }] },
      action: { type: 'startWorkflow', workflowType: 'sleepsWorkflow', taskQueue, args: [2500] },
      policies: { overlap: ScheduleOverlapPolicy.BUFFER_ONE },
    });
    const d = await waitForActions(scheduleId, 2, 30_000);
    await handle.pause();
    expect(d.info.numActionsSkippedOverlap).toBeGreaterThan(0);
    const [first, second] = await startedRuns(d);
    // The buffered start is the first time that came while the first run ran.
    expect(second!.scheduledAt).toBe(first!.scheduledAt + 1000);
    await client().workflow.getHandle(first!.id).result();
    const closeTime = (await client().workflow.getHandle(first!.id).describe()).closeTime!.getTime();
    expect(second!.startTime.getTime()).toBeGreaterThanOrEqual(closeTime);
    await handle.delete();
  }, 60_000);

  it('buffer all: every time starts, one after another', async () => {
    const scheduleId = uniqueName('buffer-all');
    const handle = await client().schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1s' }] },
      action: { type: 'startWorkflow', workflowType: 'sleepsWorkflow', taskQueue, args: [1500] },
      policies: { overlap: ScheduleOverlapPolicy.BUFFER_ALL },
    });
    const d = await waitForActions(scheduleId, 3, 30_000);
    await handle.pause();
    expect(d.info.numActionsSkippedOverlap).toBe(0);
    const runs = (await startedRuns(d)).slice(0, 3);
    expect(runs.map((r) => r.scheduledAt - runs[0]!.scheduledAt)).toEqual([0, 1000, 2000]);
    for (let i = 1; i < runs.length; i++) {
      await client()
        .workflow.getHandle(runs[i - 1]!.id)
        .result();
      const previous = await client()
        .workflow.getHandle(runs[i - 1]!.id)
        .describe();
      expect(runs[i]!.startTime.getTime()).toBeGreaterThanOrEqual(previous.closeTime!.getTime());
    }
    await handle.delete();
  }, 60_000);

  for (const [policy, status, name] of [
    [ScheduleOverlapPolicy.CANCEL_OTHER, 'CANCELLED', 'cancel other'],
    [ScheduleOverlapPolicy.TERMINATE_OTHER, 'TERMINATED', 'terminate other'],
  ] as const) {
    it(`${name}: the next time ends the running workflow and then starts`, async () => {
      const scheduleId = uniqueName(name.replace(' ', '-'));
      const handle = await client().schedule.create({
        scheduleId,
        spec: { intervals: [{ every: '2s' }] },
        action: { type: 'startWorkflow', workflowType: 'sleepsWorkflow', taskQueue, args: [60_000] },
        policies: { overlap: policy },
      });
      const d = await waitForActions(scheduleId, 2, 30_000);
      await handle.pause();
      const [first, second] = await startedRuns(d);
      expect(second!.scheduledAt).toBe(first!.scheduledAt + 2000);
      const ended = await client().workflow.getHandle(first!.id).describe();
      expect(ended.status.name).toBe(status);
      expect(second!.startTime.getTime()).toBeGreaterThanOrEqual(ended.closeTime!.getTime());
      const history = await client().workflow.getHandle(first!.id).fetchHistory();
      const events = history.events ?? [];
      if (status === 'TERMINATED') {
        const terminated = events.find((e) => e.workflowExecutionTerminatedEventAttributes);
        expect(terminated?.workflowExecutionTerminatedEventAttributes?.reason).toBe(
          'terminated by schedule overlap policy',
        );
      } else {
        const requested = events.find((e) => e.workflowExecutionCancelRequestedEventAttributes);
        expect(requested?.workflowExecutionCancelRequestedEventAttributes?.cause).toBe(
          'cancelled by schedule overlap policy',
        );
      }
      await client().workflow.getHandle(second!.id).terminate();
      await handle.delete();
    }, 60_000);
  }

  it('ignores an update with a stale conflict token, as upstream does', async () => {
    const scheduleId = uniqueName('conflict');
    const handle = await client().schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1h' }] },
      action: { type: 'startWorkflow', workflowType: 'completesWorkflow', taskQueue, args: [] },
    });
    const svc = target.connection.workflowService;
    const before = await svc.describeSchedule({ namespace: 'default', scheduleId });
    await handle.pause('moves the token on');
    const after = await svc.describeSchedule({ namespace: 'default', scheduleId });
    expect(Buffer.from(after.conflictToken!).equals(Buffer.from(before.conflictToken!))).toBe(false);
    const schedule = { ...before.schedule!, spec: { interval: [{ interval: { seconds: Long.fromNumber(60) } }] } };
    // The stale token: the call succeeds, the scheduler drops the update.
    await svc.updateSchedule({
      namespace: 'default',
      scheduleId,
      schedule,
      conflictToken: before.conflictToken,
      requestId: uniqueName('req'),
    });
    // Signals are processed in order: once the unpause shows, the update was seen.
    await handle.unpause('after the update');
    await eventually(async () => expect((await handle.describe()).state.note).toBe('after the update'));
    const unchanged = await handle.describe();
    expect(unchanged.spec.intervals?.[0]?.every).toBe(3600_000);
    // The current token applies.
    const current = await svc.describeSchedule({ namespace: 'default', scheduleId });
    await svc.updateSchedule({
      namespace: 'default',
      scheduleId,
      schedule: { ...current.schedule!, spec: schedule.spec },
      conflictToken: current.conflictToken,
      requestId: uniqueName('req'),
    });
    await eventually(async () => expect((await handle.describe()).spec.intervals?.[0]?.every).toBe(60_000));
    await handle.delete();
  });

  it('stops at zero remaining actions; a trigger still starts', async () => {
    const scheduleId = uniqueName('limited');
    const handle = await client().schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1s' }] },
      action: { type: 'startWorkflow', workflowType: 'completesWorkflow', taskQueue, args: [] },
      state: { remainingActions: 2 },
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
    });
    expect((await handle.describe()).info.nextActionTimes).toHaveLength(2);
    await waitForActions(scheduleId, 2);
    await new Promise((r) => setTimeout(r, 2_000));
    const d = await handle.describe();
    expect(d.info.numActionsTaken).toBe(2);
    expect(d.state.remainingActions).toBe(0);
    expect(d.info.nextActionTimes).toEqual([]);
    await handle.trigger();
    const triggered = await waitForActions(scheduleId, 3);
    expect(triggered.state.remainingActions).toBe(0);
    await handle.delete();
  });

  it('pauses on failure with the failed workflow and its message in the notes', async () => {
    const scheduleId = uniqueName('pof');
    const workflowId = uniqueName('pof-wf');
    const handle = await client().schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1s' }] },
      action: { type: 'startWorkflow', workflowType: 'failsWorkflow', taskQueue, workflowId, args: [] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, pauseOnFailure: true },
    });
    const d = await eventually(async () => {
      const d = await handle.describe();
      expect(d.state.paused).toBe(true);
      return d;
    });
    expect(d.state.note).toMatch(
      new RegExp(`^paused due to workflow failure: ${workflowId}-\\d{4}-\\d\\d-\\d\\dT[\\d:]+Z: scheduled failure$`),
    );
    await handle.delete();

    // Allow all: upstream watches no workflow it started, so failures do not pause the schedule.
    const allowAllId = uniqueName('pof-all');
    const allowAll = await client().schedule.create({
      scheduleId: allowAllId,
      spec: { intervals: [{ every: '1s' }] },
      action: { type: 'startWorkflow', workflowType: 'failsWorkflow', taskQueue, args: [] },
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL, pauseOnFailure: true },
    });
    const three = await waitForActions(allowAllId, 3);
    for (const a of three.info.recentActions.slice(0, 2)) {
      await expect(client().workflow.getHandle(a.action.workflow.workflowId).result()).rejects.toThrow();
    }
    await waitForActions(allowAllId, 4);
    expect((await allowAll.describe()).state.paused).toBe(false);
    await allowAll.delete();
  });
});

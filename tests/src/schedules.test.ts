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
    await expect(
      target.connection.workflowService.createSchedule({
        namespace: 'default',
        scheduleId: uniqueName('bad'),
        requestId: uniqueName('req'),
        schedule: { spec: { interval: [{ interval: { seconds: Long.fromNumber(60) } }] } },
      }),
    ).rejects.toThrow(/Only StartWorkflow action is supported for schedules/);
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
});

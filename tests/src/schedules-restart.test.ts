// Schedules across restarts of `tempora start-dev --db-file`: a kill -9 and a graceful restart in the middle of a
// 1 s schedule lose no action and double none (the started workflows' ids, one per nominal time, are contiguous),
// and after a downtime longer than a schedule's catchup window the times older than the window are skipped and
// counted as missed, as upstream does.
import { afterAll, describe, expect, it } from '@jest/globals';
import { Client, Connection, ScheduleOverlapPolicy } from '@temporalio/client';
import { devServerOnNewFile, startCli, uniqueName, type Started } from './helpers.js';

const servers: Started[] = [];
afterAll(() => {
  for (const s of servers) s.child.kill('SIGKILL');
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The nominal times (ms) of a schedule's started workflows, one entry per run (a doubled start shows twice). */
async function startedTimes(client: Client, workflowId: string): Promise<number[]> {
  const times: number[] = [];
  for await (const wf of client.workflow.list({ query: `WorkflowId STARTS_WITH '${workflowId}-'` })) {
    times.push(Date.parse(wf.workflowId.slice(workflowId.length + 1)));
  }
  return times.sort((a, b) => a - b);
}

/** Waits until the schedule took at least `count` actions. */
async function waitForActions(client: Client, scheduleId: string, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const d = await client.schedule.getHandle(scheduleId).describe();
    if (d.info.numActionsTaken >= count) return;
    if (Date.now() > deadline) throw new Error(`${scheduleId}: ${d.info.numActionsTaken} actions, wanted ${count}`);
    await sleep(200);
  }
}

/** Every second from the first to the last, each once. */
function expectContiguous(times: number[]): void {
  expect(times.length).toBeGreaterThan(1);
  const first = times[0]!;
  expect(times).toEqual(times.map((_, i) => first + i * 1000));
}

describe('schedules across restarts', () => {
  it('loses and doubles no action across a kill -9 and a graceful restart; skips times past the catchup window', async () => {
    const { address, args } = await devServerOnNewFile('sched-restart');
    let server = await startCli(args);
    servers.push(server);
    const connection = await Connection.connect({ address });
    const client = new Client({ connection, namespace: 'default' });
    const taskQueue = uniqueName('nobody');

    const scheduleId = uniqueName('every-second');
    const workflowId = uniqueName('wf');
    // ALLOW_ALL: the started workflows (nobody polls their queue) keep running, and every nominal time starts one.
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1s' }] },
      action: { type: 'startWorkflow', workflowType: 'completesWorkflow', taskQueue, workflowId, args: [] },
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
    });
    const shortId = uniqueName('short-catchup');
    const shortWorkflowId = uniqueName('wf-short');
    await client.schedule.create({
      scheduleId: shortId,
      spec: { intervals: [{ every: '1s' }] },
      action: { type: 'startWorkflow', workflowType: 'completesWorkflow', taskQueue, workflowId: shortWorkflowId },
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: '10s' },
    });
    await waitForActions(client, scheduleId, 3);

    // kill -9 in the middle, down for about 2 s.
    server.child.kill('SIGKILL');
    await server.exited;
    await sleep(2_000);
    server = await startCli(args);
    servers.push(server);
    const afterKill = (await client.schedule.getHandle(scheduleId).describe()).info.numActionsTaken;
    await waitForActions(client, scheduleId, afterKill + 3);

    // A graceful restart, down for 12 s: longer than the short schedule's 10 s catchup window.
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const downAt = Date.now();
    await sleep(12_000);
    server = await startCli(args);
    servers.push(server);
    const upAt = Date.now();
    const afterStop = (await client.schedule.getHandle(scheduleId).describe()).info.numActionsTaken;
    await waitForActions(client, scheduleId, afterStop + 3);

    const short = await client.schedule.getHandle(shortId).describe();
    await client.schedule.getHandle(scheduleId).pause();
    await client.schedule.getHandle(shortId).pause();
    const described = await client.schedule.getHandle(scheduleId).describe();

    const times = await startedTimes(client, workflowId);
    expectContiguous(times);
    expect(times.length).toBe(described.info.numActionsTaken);
    // The schedule kept firing through both downtimes: the times missed while down were caught up.
    expect(times[0]!).toBeLessThan(downAt - 5_000);
    expect(times[times.length - 1]!).toBeGreaterThan(upAt);
    expect(described.info.numActionsMissedCatchupWindow).toBe(0);

    // The short window: no duplicates, a gap of the times older than 10 s at the wake-up, counted as missed.
    const shortTimes = await startedTimes(client, shortWorkflowId);
    expect(new Set(shortTimes).size).toBe(shortTimes.length);
    expect(short.info.numActionsMissedCatchupWindow).toBeGreaterThan(0);
    const gaps = shortTimes.slice(1).map((t, i) => t - shortTimes[i]!);
    expect(Math.max(...gaps)).toBeGreaterThan(1_000);
    expect(shortTimes.length + short.info.numActionsMissedCatchupWindow).toBeGreaterThanOrEqual(
      (shortTimes[shortTimes.length - 1]! - shortTimes[0]!) / 1000,
    );

    await connection.close();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 120_000);
});

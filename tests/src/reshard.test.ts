// Online resharding under a running workload, as an operator runs it: `tempora admin reshard --shards 8`, then
// `--shards 16` with a kill -9 of a history process once its first split committed, and the command run again to
// resume.
// Runs with a timer, an activity, a child, a signal and an update each complete with the right result; their
// histories (workflow-task events aside, which a kill adds to) match a run that saw no reshard; no activity ran more
// than twice (once, plus once for the kill); `tempora admin shards` lists 16 shards, each owned.
// On start-dev with a database file (SQLite, everything in one process) and on a cluster on Cassandra.
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { dropCassandraKeyspace, setupCassandraSchema } from '@tempora/persistence';
import { cassandraForTests, uniqueTestKeyspace } from '@tempora/persistence/cassandra-testing';
import { activityRuns } from './activity-counts.js';
import { redisAvailable, TestCluster, TEST_REDIS_URL, withWorkload } from './cluster-support.js';
import * as activities from './activities.js';
import { CLI, devServerOnNewFile, eventually, startCli, uniqueName, type Started } from './helpers.js';
import { eventTypeName, readHistory, runWorker } from './sdk-support.js';
import { reshardSignal, reshardStage, reshardUpdate, type reshardWorkload } from './workflows/reshard.js';

const run = promisify(execFile);
const WORKFLOWS = 40;

Runtime.install({ logger: new DefaultLogger('ERROR') });

async function admin(address: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI, 'admin', ...args, '--address', address], { timeout: 240_000 });
  return stdout;
}

/** The event types of a history, without the workflow-task events a restart may add (a timed-out task, a retry). */
async function eventTypes(connection: Connection, workflowId: string): Promise<string[]> {
  return (await readHistory(connection, workflowId))
    .map(eventTypeName)
    .filter((type) => !type.startsWith('WORKFLOW_TASK_'));
}

async function untilStage(handle: WorkflowHandle<typeof reshardWorkload>, stage: string): Promise<void> {
  await eventually(async () => expect(await handle.query(reshardStage)).toBe(stage), 120_000);
}

interface Target {
  address: () => string;
  /** kill -9 of a process that serves history shards, and whatever it takes for the cluster to serve again. */
  killHistory: () => Promise<void>;
}

/** The scenario on a running target whose workers poll `taskQueue`. */
async function reshardUnderLoad(target: Target, client: Client, taskQueue: string): Promise<void> {
  const prefix = uniqueName('reshard');
  const start = (id: string, index: number) =>
    client.workflow.start<typeof reshardWorkload>('reshardWorkload', { taskQueue, workflowId: id, args: [index] });
  const drive = async (handle: WorkflowHandle<typeof reshardWorkload>, index: number) => {
    await untilStage(handle, 'waiting for signal');
    await handle.signal(reshardSignal, `s${index}`);
    await untilStage(handle, 'waiting for update');
    expect(await handle.executeUpdate(reshardUpdate, { args: [`u${index}`] })).toBe(`updated:u${index}`);
    return handle.result();
  };
  const expected = (index: number) => `a${index}|child:c${index}|s${index}|u${index}`;

  // The control: one run start to end before any reshard.
  const control = await start(`${prefix}-control`, 0);
  expect(await drive(control, 0)).toBe(expected(0));
  const connection = client.connection as Connection;
  const controlTypes = await eventTypes(connection, control.workflowId);

  const ids = Array.from({ length: WORKFLOWS }, (_, i) => `${prefix}-${i + 1}`);
  const handles = await Promise.all(ids.map((id, i) => start(id, i + 1)));
  // 4 -> 8 while the runs are in their activity, timer and child; then the signals and updates of half of them.
  const to8 = await admin(target.address(), 'reshard', '--shards', '8');
  expect(to8).toMatch(/reshard 4 -> 8: finished .* \d+ executions moved/);
  const firstHalf = handles.slice(0, WORKFLOWS / 2).map((h, i) => drive(h, i + 1));
  await Promise.all(firstHalf);
  // 8 -> 16, killed right after it starts; the command run again resumes and follows it to the end.
  const rest = handles.slice(WORKFLOWS / 2).map((h, i) => drive(h, WORKFLOWS / 2 + i + 1));
  expect(await admin(target.address(), 'reshard', '--shards', '16', '--no-wait')).toMatch(/reshard 8 -> 16/);
  // Killed once the first split has committed: the others are pending or half-way.
  await eventually(
    async () =>
      expect(await admin(target.address(), 'shards')).toMatch(/reshard 8 -> 16: ([1-8]\/8 shards split|finished)/),
    60_000,
  );
  await target.killHistory();
  expect(await admin(target.address(), 'reshard', '--shards', '16')).toMatch(/reshard 8 -> 16: finished/);
  await Promise.all(rest);

  const results = await Promise.all(handles.map((h) => h.result()));
  expect(results).toEqual(handles.map((_, i) => expected(i + 1)));
  for (const handle of handles) expect(await eventTypes(connection, handle.workflowId)).toEqual(controlTypes);
  for (let i = 1; i <= WORKFLOWS; i++) expect(activityRuns.get(`a${i}`)).toBeLessThanOrEqual(2);

  const shards = await admin(target.address(), 'shards');
  expect(shards).toMatch(/^history shards: 16\n/);
  expect(shards).toMatch(/reshard 8 -> 16: finished/);
  const rows = shards.split('\n').filter((line) => /^\d+\s/.test(line));
  expect(rows.map((line) => Number(line.split(/\s+/)[0]))).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  for (const row of rows) expect(row.split(/\s+/)[2]).not.toBe('-');
}

describe('online resharding', () => {
  const servers: Started[] = [];
  afterAll(() => {
    for (const s of servers) s.child.kill('SIGKILL');
  });

  it('start-dev on SQLite: 4 -> 8 -> 16 shards under load, across a kill -9', async () => {
    const { address, args } = await devServerOnNewFile('reshard');
    servers.push(await startCli(args));
    const taskQueue = uniqueName('reshard');
    const worker = await runWorker(address, {
      taskQueue,
      workflowsPath: fileURLToPath(new URL('./workflows/index.js', import.meta.url)),
      activities,
    });
    const connection = await Connection.connect({ address });
    try {
      await reshardUnderLoad(
        {
          address: () => address,
          killHistory: async () => {
            const server = servers[servers.length - 1]!;
            server.child.kill('SIGKILL');
            await server.exited;
            servers.push(await startCli(args));
          },
        },
        new Client({ connection, namespace: 'default' }),
        taskQueue,
      );
    } finally {
      await worker.stop();
      await connection.close();
    }
  }, 400_000);
});

const optionsFor = await cassandraForTests('resharding on Cassandra');
const describeCluster = optionsFor && (await redisAvailable()) ? describe : describe.skip;

describeCluster('online resharding of a cluster on Cassandra', () => {
  const cassandra = optionsFor!(uniqueTestKeyspace('reshard'));
  const cluster = new TestCluster({ redisUrl: TEST_REDIS_URL, numHistoryShards: 4, cassandra });
  afterAll(async () => {
    await cluster.stop();
    await dropCassandraKeyspace(cassandra);
  });

  it('4 -> 8 -> 16 shards under load, across a kill -9 of a history process', async () => {
    await setupCassandraSchema(cassandra, { replicationFactor: 1 });
    await cluster.start('frontend');
    const [historyA] = await Promise.all([
      cluster.start('history'),
      cluster.start('history'),
      cluster.start('matching'),
    ]);
    await withWorkload(cluster, async ({ client, taskQueue }) => {
      await reshardUnderLoad(
        {
          address: () => cluster.frontendAddress,
          killHistory: async () => {
            expect(await cluster.kill(historyA!, 'SIGKILL')).toBeNull();
            await cluster.start('history');
          },
        },
        client,
        taskQueue,
      );
    });
  }, 400_000);
});

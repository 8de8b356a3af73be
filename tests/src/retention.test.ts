// Retention with the official TypeScript client: in a namespace with a 10-second retention (the minimum lowered in
// config), closed runs disappear from DescribeWorkflowExecution, GetWorkflowExecutionHistory, ListWorkflowExecutions
// and the store within 60 s of their close, while open runs and a newer run of the same workflow id stay. On SQLite
// and on Cassandra + Elasticsearch. Then a kill -9 while retention tasks are pending: after the restart they fire.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import { Client, Connection } from '@temporalio/client';
import Long from 'long';
import type { DevServerOptions } from '@tempora/cli';
import { cassandraForTests, uniqueTestKeyspace } from '@tempora/persistence/cassandra-testing';
import { ELASTICSEARCH_TEST_URL, elasticsearchAvailable, uniqueTestIndex } from '@tempora/visibility/test-support';
import * as activities from './activities.js';
import {
  devServerOnNewFile,
  eventually,
  grpcFailure,
  startCli,
  startTestServer,
  uniqueName,
  type Started,
  type TestServer,
} from './helpers.js';
import { bundleWorkflows, installRuntime, runWorker, type RunningWorker } from './sdk-support.js';

const RETENTION_SECONDS = 10;
/** The acceptance bound: no closed run is left this long after its close. */
const ACCEPTANCE_MS = 60_000;

const esIndex = uniqueTestIndex('tempora-retention');
const cassandra = await cassandraForTests('retention on Cassandra + Elasticsearch');
const backends: [string, () => Promise<DevServerOptions | undefined>][] = [
  ['SQLite', () => Promise.resolve({ minRetentionSeconds: 1 })],
  [
    'Cassandra + Elasticsearch',
    async () =>
      cassandra && (await elasticsearchAvailable())
        ? {
            persistence: 'cassandra',
            cassandra: { contactPoints: cassandra('').contactPoints, keyspace: uniqueTestKeyspace('retention') },
            visibility: { driver: 'elasticsearch', url: ELASTICSEARCH_TEST_URL, index: esIndex },
            minRetentionSeconds: 1,
          }
        : undefined,
  ],
];

afterAll(async () => {
  await fetch(new URL(`/${esIndex}`, ELASTICSEARCH_TEST_URL), { method: 'DELETE' }).catch(() => undefined);
  await fetch(new URL(`/_index_template/${esIndex}-template`, ELASTICSEARCH_TEST_URL), { method: 'DELETE' }).catch(
    () => undefined,
  );
});

async function registerNamespace(connection: Connection, namespace: string, seconds: number): Promise<string> {
  await connection.workflowService.registerNamespace({
    namespace,
    workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(seconds) },
  });
  const described = await connection.workflowService.describeNamespace({ namespace });
  return described.namespaceInfo!.id!;
}

async function listed(client: Client, query = ''): Promise<string[]> {
  const runIds: string[] = [];
  for await (const info of client.workflow.list({ query })) runIds.push(info.runId);
  return runIds.sort();
}

describe.each(backends)('retention on %s', (_backend, serverOptions) => {
  let t: TestServer | undefined;
  let worker: RunningWorker;
  const namespace = uniqueName('retention');
  const taskQueue = uniqueName('retention');
  const idle = uniqueName('retention-idle');

  beforeAll(async () => {
    const options = await serverOptions();
    if (!options) return;
    installRuntime();
    t = await startTestServer(options);
    await registerNamespace(t.connection, namespace, RETENTION_SECONDS);
    worker = await runWorker(t.server.address, {
      namespace,
      taskQueue,
      workflowBundle: await bundleWorkflows('index'),
      activities,
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await t?.close();
  }, 60_000);

  it(
    `holds no closed run ${ACCEPTANCE_MS / 1000} s after close; open runs and a newer run of the same id stay`,
    async () => {
      if (!t) return;
      const { connection, server } = t;
      const client = new Client({ connection, namespace });
      const svc = connection.workflowService;
      const namespaceId = (await svc.describeNamespace({ namespace })).namespaceInfo!.id!;

      const completed = await client.workflow.start('helloWorkflow', {
        taskQueue,
        workflowId: uniqueName('completed'),
        args: ['retention'],
      });
      await completed.result();
      const terminated = await client.workflow.start('helloWorkflow', { taskQueue: idle, workflowId: uniqueName('t') });
      await terminated.terminate('closing for retention');
      const open = await client.workflow.start('helloWorkflow', { taskQueue: idle, workflowId: uniqueName('open') });
      const reusedId = uniqueName('reused');
      const older = await client.workflow.start('helloWorkflow', { taskQueue: idle, workflowId: reusedId });
      await older.terminate('replaced by a newer run');
      const newer = await client.workflow.start('helloWorkflow', { taskQueue: idle, workflowId: reusedId });
      const lastClose = Date.now();
      const closedRuns = [
        { workflowId: completed.workflowId, runId: completed.firstExecutionRunId },
        { workflowId: terminated.workflowId, runId: terminated.firstExecutionRunId },
        { workflowId: reusedId, runId: older.firstExecutionRunId },
      ];
      // Retention counts from the close: right after it, every closed run is still there.
      const statuses = [];
      for (const { workflowId, runId } of closedRuns) {
        statuses.push((await client.workflow.getHandle(workflowId, runId).describe()).status.name);
      }
      expect(statuses).toEqual(['COMPLETED', 'TERMINATED', 'TERMINATED']);

      const gone = await eventually(async () => {
        for (const execution of closedRuns) {
          const failure = await grpcFailure(svc.describeWorkflowExecution({ namespace, execution }));
          expect(failure.code).toBe(status.NOT_FOUND);
        }
        expect(await listed(client, "ExecutionStatus != 'Running'")).toEqual([]);
        return Date.now();
      }, ACCEPTANCE_MS);
      expect(gone - lastClose).toBeLessThan(ACCEPTANCE_MS);
      expect(gone - lastClose).toBeGreaterThanOrEqual(RETENTION_SECONDS * 1000 - 1_000);

      for (const execution of closedRuns) {
        const history = await grpcFailure(svc.getWorkflowExecutionHistory({ namespace, execution }));
        expect(history.code).toBe(status.NOT_FOUND);
      }
      expect(await listed(client)).toEqual([open.firstExecutionRunId, newer.firstExecutionRunId].sort());
      expect((await client.workflow.count()).count).toBe(2);
      expect((await open.describe()).status.name).toBe('RUNNING');
      const current = await client.workflow.getHandle(reusedId).describe();
      expect([current.runId, current.status.name]).toEqual([newer.firstExecutionRunId, 'RUNNING']);

      // The store: no row, history batch or current pointer of a deleted run on any shard.
      const { stores, config } = server;
      const rows = [];
      for (let shardId = 1; shardId <= config.numHistoryShards; shardId++) {
        rows.push(...(await stores.executions.listWorkflowExecutions(shardId, 1000, undefined)).items);
        for (const { workflowId, runId } of closedRuns) {
          const branch = { shardId, branchToken: runId, minNodeId: 1, maxNodeId: 10_000, pageSize: 100 };
          expect((await stores.history.readHistoryBranch(branch)).items).toEqual([]);
          const pointer = await stores.executions.getCurrentExecution(shardId, namespaceId, workflowId);
          if (pointer) expect(pointer.runId).toBe(newer.firstExecutionRunId);
        }
      }
      const runIds = rows.filter((row) => row.namespaceId === namespaceId).map((row) => row.runId);
      expect(runIds.sort()).toEqual([open.firstExecutionRunId, newer.firstExecutionRunId].sort());
      await open.terminate();
      await newer.terminate();
    },
    ACCEPTANCE_MS + 30_000,
  );

  it('rejects a retention below the configured minimum, naming the field and the minimum', async () => {
    if (!t) return;
    const failure = await grpcFailure(
      t.connection.workflowService.registerNamespace({
        namespace: uniqueName('too-short'),
        workflowExecutionRetentionPeriod: { nanos: 500_000_000 },
      }),
    );
    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.message).toBe(
      'A valid retention period is not set on request (field workflow_execution_retention_period must be at least 1s).',
    );
  });
});

describe('retention across a crash', () => {
  const servers: Started[] = [];
  afterAll(() => {
    for (const s of servers) s.child.kill('SIGKILL');
  });

  it('fires retention tasks that were pending when the server was killed with SIGKILL', async () => {
    const { address, args: devArgs } = await devServerOnNewFile('retention-crash');
    const args = [...devArgs, '--min-retention', '1s'];
    const first = await startCli(args);
    servers.push(first);
    let connection = await Connection.connect({ address });
    const namespace = uniqueName('retention-crash');
    await registerNamespace(connection, namespace, 5);
    let client = new Client({ connection, namespace });
    const handles = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        client.workflow.start('helloWorkflow', { taskQueue: 'nobody', workflowId: `crash-${i}` }),
      ),
    );
    await Promise.all(handles.map((handle) => handle.terminate('closed before the crash')));
    const executions = handles.map((h) => ({ workflowId: h.workflowId, runId: h.firstExecutionRunId }));
    // Every run is still there when the process dies: its retention task is pending.
    const last = executions[executions.length - 1]!;
    expect((await client.workflow.getHandle(last.workflowId, last.runId).describe()).status.name).toBe('TERMINATED');
    await connection.close();
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await startCli(args);
    servers.push(second);
    connection = await Connection.connect({ address });
    client = new Client({ connection, namespace });
    await eventually(async () => {
      for (const execution of executions) {
        const failure = await grpcFailure(
          connection.workflowService.describeWorkflowExecution({ namespace, execution }),
        );
        expect(failure.code).toBe(status.NOT_FOUND);
      }
      expect((await client.workflow.count()).count).toBe(0);
    }, 30_000);
    await connection.close();
  }, 90_000);
});

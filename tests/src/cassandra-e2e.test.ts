// The official SDK against `tempora start-dev --persistence cassandra` on a real Cassandra: activities, timers,
// retries, continue-as-new and long histories, then a SIGKILL of the server and a restart on the same keyspace.
// Then `tempora start` from a config file selecting Cassandra, on a keyspace made by `tempora schema cassandra`.
import { afterAll, describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { spawn } from 'node:child_process';
import { dropCassandraKeyspace } from '@tempora/persistence';
import { cassandraForTests, uniqueTestKeyspace } from '@tempora/persistence/cassandra-testing';
import * as activities from './feature-activities.js';
import { CLI, freePort, startCli, uniqueName, type Started } from './helpers.js';
import { eventTypeName, runWorker, useSdkTarget, type HistoryEvent, type TestTarget } from './sdk-support.js';
import type * as workflows from './workflows/features.js';

const CASSANDRA_CONFIG = fileURLToPath(new URL('../../deploy/config/tempora-cassandra.yaml', import.meta.url));

/** Runs the CLI to completion; resolves with its exit code and output. */
function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}
const optionsFor = await cassandraForTests('start-dev on Cassandra');

function eventTypes(events: HistoryEvent[] | null | undefined): string[] {
  return (events ?? []).map(eventTypeName);
}

if (optionsFor) {
  const cassandraOptions = optionsFor(uniqueTestKeyspace('e2e'));
  const servers: Started[] = [];
  let args: string[];
  const taskQueue = uniqueName('cassandra-e2e');

  /** start-dev as a child process, so that a test can SIGKILL it and start it again on the same keyspace. */
  async function startDevOnCassandra(): Promise<TestTarget> {
    const port = await freePort();
    args = [
      'start-dev',
      '--port',
      String(port),
      '--persistence',
      'cassandra',
      '--cassandra-hosts',
      cassandraOptions.contactPoints.join(','),
      '--cassandra-keyspace',
      cassandraOptions.keyspace,
      '--log-level',
      'warn',
    ];
    servers.push(await startCli(args));
    const address = `127.0.0.1:${port}`;
    const connection = await Connection.connect({ address });
    return {
      address,
      connection,
      async close() {
        await connection.close();
        for (const server of servers) server.child.kill('SIGKILL');
        await Promise.all(servers.map((server) => server.exited));
        await dropCassandraKeyspace(cassandraOptions);
      },
    };
  }
  const sdk = useSdkTarget({ taskQueue, activities, start: startDevOnCassandra });

  describe('start-dev on Cassandra', () => {
    it('runs parallel activities and timers and records them in the history', async () => {
      const workflowId = uniqueName('fan-out');
      const result = await sdk.client.workflow.execute<typeof workflows.fanOutWorkflow>('fanOutWorkflow', {
        taskQueue,
        workflowId,
        args: [4, 3],
      });
      expect(result).toEqual({ sum: 10, timersFired: 3 });

      const types = eventTypes((await sdk.client.workflow.getHandle(workflowId).fetchHistory()).events);
      expect(types[0]).toBe('WORKFLOW_EXECUTION_STARTED');
      expect(types.filter((t) => t === 'ACTIVITY_TASK_COMPLETED')).toHaveLength(4);
      expect(types.filter((t) => t === 'TIMER_FIRED')).toHaveLength(3);
      expect(types.at(-1)).toBe('WORKFLOW_EXECUTION_COMPLETED');
    });

    it('retries a failing workflow in new runs until an attempt succeeds', async () => {
      const workflowId = uniqueName('workflow-retry');
      const handle = await sdk.client.workflow.start('failUntilAttemptWorkflow', {
        taskQueue,
        workflowId,
        args: [3],
        retry: { initialInterval: '100ms', backoffCoefficient: 1, maximumAttempts: 5 },
      });
      expect(await handle.result()).toBe(3);
      const first = await sdk.client.workflow.getHandle(workflowId, handle.firstExecutionRunId).fetchHistory();
      expect(eventTypes(first.events).at(-1)).toBe('WORKFLOW_EXECUTION_FAILED');
    });

    it('continues as new, moving the current run in the same conditional write', async () => {
      const workflowId = uniqueName('continue-as-new');
      const handle = await sdk.client.workflow.start('continueAsNewCounterWorkflow', {
        taskQueue,
        workflowId,
        args: [0, 3],
      });
      expect(await handle.result()).toBe(3);

      const first = await sdk.client.workflow.getHandle(workflowId, handle.firstExecutionRunId).fetchHistory();
      expect(eventTypes(first.events).at(-1)).toBe('WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
      const latest = await sdk.client.workflow.getHandle(workflowId).describe();
      expect(latest.runId).not.toBe(handle.firstExecutionRunId);
      expect(latest.status.name).toBe('COMPLETED');
    });

    it('pages a long history out of the history_node table', async () => {
      const workflowId = uniqueName('long-history');
      expect(await sdk.client.workflow.execute('manyActivitiesWorkflow', { taskQueue, workflowId, args: [120] })).toBe(
        120,
      );
      const types = eventTypes((await sdk.client.workflow.getHandle(workflowId).fetchHistory()).events);
      expect(types.filter((t) => t === 'ACTIVITY_TASK_COMPLETED')).toHaveLength(120);
      expect(types.at(-1)).toBe('WORKFLOW_EXECUTION_COMPLETED');
    });

    it('completes every workflow after start-dev is killed with SIGKILL and restarted on the same keyspace', async () => {
      const ids = Array.from({ length: 20 }, (_, i) => uniqueName(`crash-${i}`));
      await Promise.all(
        ids.map((workflowId, i) =>
          i % 2 === 0
            ? sdk.client.workflow.start('sleepWorkflow', { taskQueue, workflowId, args: [1_500] })
            : sdk.client.workflow.start('fanOutWorkflow', { taskQueue, workflowId, args: [3, 2] }),
        ),
      );
      // Wait until the first sleeper's timer is durably scheduled, so timers are pending at the kill.
      const sleeper = sdk.client.workflow.getHandle(ids[0]!);
      while (!eventTypes((await sleeper.fetchHistory()).events).includes('TIMER_STARTED')) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }

      const first = servers[servers.length - 1]!;
      first.child.kill('SIGKILL');
      await first.exited;
      servers.push(await startCli(args));

      const results = await Promise.all(ids.map((workflowId) => sdk.client.workflow.getHandle(workflowId).result()));
      expect(results).toEqual(ids.map((_, i) => (i % 2 === 0 ? 'slept' : { sum: 6, timersFired: 2 })));
      const sleeperTypes = eventTypes((await sleeper.fetchHistory()).events);
      expect(sleeperTypes.filter((t) => t === 'TIMER_STARTED')).toHaveLength(1);
      expect(sleeperTypes.filter((t) => t === 'TIMER_FIRED')).toHaveLength(1);
    }, 120_000);
  });

  describe('tempora start on Cassandra from a config file', () => {
    const keyspace = uniqueTestKeyspace('cluster');
    const env = async () => ({
      TEMPORA_PERSISTENCE__CASSANDRA__CONTACT_POINTS: cassandraOptions.contactPoints.join(','),
      TEMPORA_PERSISTENCE__CASSANDRA__KEYSPACE: keyspace,
      TEMPORA_SERVICES__FRONTEND__GRPC_PORT: String(await freePort()),
      TEMPORA_SERVICES__FRONTEND__HTTP_PORT: String(await freePort()),
      TEMPORA_SERVICES__HISTORY__GRPC_PORT: String(await freePort()),
      TEMPORA_SERVICES__MATCHING__GRPC_PORT: String(await freePort()),
      TEMPORA_SERVICES__WORKER__GRPC_PORT: String(await freePort()),
    });

    afterAll(async () => {
      await dropCassandraKeyspace({ ...cassandraOptions, keyspace });
    });

    it('refuses to start on a keyspace that was never set up, naming the command to run', async () => {
      const { code, output } = await runCli(['start', '--config', CASSANDRA_CONFIG], await env());
      expect(code).not.toBe(0);
      expect(output).toContain(`keyspace ${keyspace} does not exist: run \`tempora schema cassandra setup\``);
    });

    it('runs workflows once `tempora schema cassandra setup` made the keyspace', async () => {
      const schemaArgs = [
        '--config',
        CASSANDRA_CONFIG,
        '--hosts',
        cassandraOptions.contactPoints.join(','),
        '--keyspace',
        keyspace,
      ];
      expect(await runCli(['schema', 'cassandra', ...schemaArgs, 'setup'])).toEqual({
        code: 0,
        output: `keyspace ${keyspace}: applied schema versions 1\n`,
      });
      expect(await runCli(['schema', 'cassandra', ...schemaArgs, 'update'])).toEqual({
        code: 0,
        output: `keyspace ${keyspace}: schema already up to date\n`,
      });

      const clusterEnv = await env();
      const started = await startCli(['start', '--config', CASSANDRA_CONFIG], clusterEnv, 'Tempora started');
      servers.push(started);
      const address = `127.0.0.1:${clusterEnv.TEMPORA_SERVICES__FRONTEND__GRPC_PORT}`;
      const clusterConnection = await Connection.connect({ address });
      const clusterTaskQueue = uniqueName('cassandra-cluster');
      const clusterWorker = await runWorker(address, {
        taskQueue: clusterTaskQueue,
        workflowBundle: sdk.bundle,
        activities,
      });
      try {
        const clusterClient = new Client({ connection: clusterConnection, namespace: 'default' });
        const workflowId = uniqueName('cluster-fan-out');
        expect(
          await clusterClient.workflow.execute('fanOutWorkflow', {
            taskQueue: clusterTaskQueue,
            workflowId,
            args: [3, 2],
          }),
        ).toEqual({ sum: 6, timersFired: 2 });
        const types = eventTypes((await clusterClient.workflow.getHandle(workflowId).fetchHistory()).events);
        expect(types.at(-1)).toBe('WORKFLOW_EXECUTION_COMPLETED');
      } finally {
        await clusterWorker.stop();
        await clusterConnection.close();
      }
      started.child.kill('SIGTERM');
      expect(await started.exited).toBe(0);
    }, 120_000);
  });
}

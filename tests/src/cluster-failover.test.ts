// Cluster mode under failures (real processes, real Redis): 500 workflows with activities and timers run while a
// history process is killed with SIGKILL, another history process joins and a matching process is restarted.
// Every workflow must complete with its own result, and the shards must end up owned by the live history hosts.
import { afterAll, describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import * as activities from './activities.js';
import { identityOf, redisAvailable, TestCluster, TEST_REDIS_URL } from './cluster-support.js';
import { uniqueName } from './helpers.js';

const workflowsPath = fileURLToPath(new URL('./workflows/index.js', import.meta.url));
const WORKFLOWS = 500;

const describeCluster = (await redisAvailable()) ? describe : describe.skip;

describeCluster('cluster failover', () => {
  const cluster = new TestCluster({ redisUrl: TEST_REDIS_URL });
  afterAll(() => cluster.stop());

  it('completes every workflow through a history SIGKILL, a history join and a matching restart', async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    await cluster.start('frontend');
    const [historyA, historyB, matchingA] = await Promise.all([
      cluster.start('history'),
      cluster.start('history'),
      cluster.start('matching'),
      cluster.start('matching'),
    ]);
    const address = cluster.frontendAddress;
    const taskQueue = uniqueName('failover');
    const worker = await Worker.create({
      connection: await NativeConnection.connect({ address }),
      namespace: 'default',
      taskQueue,
      workflowsPath,
      activities,
      maxConcurrentActivityTaskExecutions: 200,
    });
    const workerRun = worker.run();
    const connection = await Connection.connect({ address });
    const client = new Client({ connection, namespace: 'default' });

    try {
      const ids = Array.from({ length: WORKFLOWS }, (_, i) => `${taskQueue}-${i}`);
      const handles = await Promise.all(
        ids.map((workflowId, i) => client.workflow.start('crashSurvivorWorkflow', { taskQueue, workflowId, args: [i] })),
      );
      const results = Promise.all(handles.map((h) => h.result()));
      // The first workflows are past their first activity: timers and activities are in flight everywhere.
      await client.workflow.getHandle(ids[0]!).result();

      expect(await cluster.kill(historyA, 'SIGKILL')).toBeNull();
      const historyC = await cluster.start('history');
      expect(await cluster.kill(matchingA, 'SIGTERM')).toBe(0);
      await cluster.start('matching');

      expect(await results).toEqual(ids.map((_, i) => `a${i}-b${i}`));

      const live = [await identityOf(cluster, historyB), await identityOf(cluster, historyC)];
      const shards = await cluster.until(() => cluster.shards(), cluster.shardsSettledOn(live));
      expect(new Set(shards.map((s) => s.storeOwner)).size).toBeGreaterThanOrEqual(1);
      const members = await cluster.until(() => cluster.members(), (ms) => ms.filter((m) => m.service === 'history').length === 2);
      expect(members.filter((m) => m.service === 'matching')).toHaveLength(2);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${cluster.logs()}`);
    } finally {
      worker.shutdown();
      await workerRun;
      await connection.close();
    }
  }, 300_000);
});

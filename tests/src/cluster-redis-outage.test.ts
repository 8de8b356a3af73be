// Losing Redis for 10 s: membership freezes (no member joins or leaves, no shard moves) but nothing is lost. Work
// goes on against the last known rings, a history process started during the outage joins once Redis is back,
// and every workflow started before, during and after the outage completes.
import { afterAll, describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import * as activities from './activities.js';
import { identityOf, PrivateRedis, redisServerInstalled, TestCluster } from './cluster-support.js';
import { freePort, uniqueName } from './helpers.js';

const workflowsPath = fileURLToPath(new URL('./workflows/index.js', import.meta.url));
const PER_WAVE = 50;
const OUTAGE_MS = 10_000;

const describeCluster = redisServerInstalled() ? describe : describe.skip;

describeCluster('cluster without Redis for 10 s', () => {
  let redis: PrivateRedis;
  let cluster: TestCluster;
  afterAll(async () => {
    await cluster?.stop();
    await redis?.stop();
  });

  it('stalls membership changes but loses nothing', async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    redis = new PrivateRedis(await freePort());
    await redis.start();
    cluster = new TestCluster({ redisUrl: redis.url });
    await cluster.start('frontend');
    const [historyA, historyB] = await Promise.all([cluster.start('history'), cluster.start('history'), cluster.start('matching')]);
    const ringBefore = [await identityOf(cluster, historyA), await identityOf(cluster, historyB)];
    const shardsBefore = await cluster.until(() => cluster.shards(), cluster.shardsSettledOn(ringBefore));

    const address = cluster.frontendAddress;
    const taskQueue = uniqueName('outage');
    const worker = await Worker.create({ connection: await NativeConnection.connect({ address }), namespace: 'default', taskQueue, workflowsPath, activities });
    const workerRun = worker.run();
    const connection = await Connection.connect({ address });
    const client = new Client({ connection, namespace: 'default' });
    const startWave = async (name: string) => {
      const handles = await Promise.all(
        Array.from({ length: PER_WAVE }, (_, i) =>
          client.workflow.start('crashSurvivorWorkflow', { taskQueue, workflowId: `${taskQueue}-${name}-${i}`, args: [i] }),
        ),
      );
      return Promise.all(handles.map((h) => h.result()));
    };
    const expected = Array.from({ length: PER_WAVE }, (_, i) => `a${i}-b${i}`);

    try {
      const before = startWave('before');
      await redis.stop();
      const outageEnds = Date.now() + OUTAGE_MS;
      // Work continues on the last known rings while Redis is gone.
      const during = startWave('during');
      const joining = await cluster.spawn('history');
      await delay(OUTAGE_MS / 2);
      expect(await cluster.shards()).toEqual(shardsBefore);
      expect((await cluster.members()).filter((m) => m.service === 'history').map((m) => m.identity).sort()).toEqual([...ringBefore].sort());
      expect(await before).toEqual(expected);
      await delay(Math.max(0, outageEnds - Date.now()));
      await redis.start();

      // Everyone re-registers with the empty Redis; the process that waited for Redis joins and takes its shards.
      await joining.ready;
      const ringAfter = [...ringBefore, await identityOf(cluster, joining)];
      await cluster.until(() => cluster.shards(), cluster.shardsSettledOn(ringAfter));
      expect(await during).toEqual(expected);
      expect(await startWave('after')).toEqual(expected);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${cluster.logs()}`);
    } finally {
      worker.shutdown();
      await workerRun;
      await connection.close();
    }
  }, 180_000);
});

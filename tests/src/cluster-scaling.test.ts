// Scaling history from 1 to 3 processes while workflows run: shards move to the new processes (each acquires what
// the ring assigns it, fencing the previous owner) and every workflow, started before or after, completes. Then one
// process is drained with SIGTERM: it leaves the ring at once (not after its registration expires) and hands its
// shards over.
import { afterAll, describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import * as activities from './activities.js';
import { identityOf, redisAvailable, TestCluster, TEST_REDIS_URL } from './cluster-support.js';
import { uniqueName } from './helpers.js';

const workflowsPath = fileURLToPath(new URL('./workflows/index.js', import.meta.url));
const PER_WAVE = 60;

const describeCluster = (await redisAvailable()) ? describe : describe.skip;

describeCluster('cluster scaling', () => {
  const cluster = new TestCluster({ redisUrl: TEST_REDIS_URL, numHistoryShards: 16 });
  afterAll(() => cluster.stop());

  it('moves shards from one history process to three and back to two (drain) while work continues', async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    await cluster.start('frontend');
    const [first] = await Promise.all([cluster.start('history'), cluster.start('matching')]);
    const firstIdentity = await identityOf(cluster, first);
    const before = await cluster.until(() => cluster.shards(), cluster.shardsSettledOn([firstIdentity]));
    expect(before).toHaveLength(16);

    const address = cluster.frontendAddress;
    const taskQueue = uniqueName('scaling');
    const worker = await Worker.create({ connection: await NativeConnection.connect({ address }), namespace: 'default', taskQueue, workflowsPath, activities });
    const workerRun = worker.run();
    const connection = await Connection.connect({ address });
    const client = new Client({ connection, namespace: 'default' });
    const wave = (name: string) =>
      Array.from({ length: PER_WAVE }, (_, i) => ({ workflowId: `${taskQueue}-${name}-${i}`, index: i }));
    /** Starts every workflow of the wave; resolves with a promise of their results. */
    const run = async (items: { workflowId: string; index: number }[]) => {
      const handles = await Promise.all(
        items.map(({ workflowId, index }) => client.workflow.start('crashSurvivorWorkflow', { taskQueue, workflowId, args: [index] })),
      );
      return { results: Promise.all(handles.map((h) => h.result())) };
    };
    const expected = (items: { index: number }[]) => items.map(({ index }) => `a${index}-b${index}`);

    try {
      const early = wave('early');
      const { results: earlyResults } = await run(early);
      await client.workflow.getHandle(early[0]!.workflowId).result();

      const added = await Promise.all([cluster.start('history'), cluster.start('history')]);
      const identities = [firstIdentity, ...(await Promise.all(added.map((p) => identityOf(cluster, p))))];
      const after = await cluster.until(() => cluster.shards(), cluster.shardsSettledOn(identities));
      const moved = after.filter((s) => s.storeOwner !== firstIdentity);
      expect(moved.length).toBeGreaterThan(0);
      // A moved shard was acquired again: its range id went up, so the first process's writes to it are fenced.
      for (const shard of moved) expect(shard.rangeId).toBeGreaterThan(before.find((s) => s.shardId === shard.shardId)!.rangeId);

      // Graceful drain: deregistration is announced, so the ring drops the process well within its TTL (4 s).
      const drained = added[1]!;
      expect(await cluster.kill(drained, 'SIGTERM')).toBe(0);
      const remaining = identities.filter((id) => id !== identities[2]);
      await cluster.until(() => cluster.members(), (ms) => ms.filter((m) => m.service === 'history').length === 2, 3_000);
      await cluster.until(() => cluster.shards(), cluster.shardsSettledOn(remaining));

      const late = wave('late');
      expect(await (await run(late)).results).toEqual(expected(late));
      expect(await earlyResults).toEqual(expected(early));
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${cluster.logs()}`);
    } finally {
      worker.shutdown();
      await workerRun;
      await connection.close();
    }
  }, 180_000);
});

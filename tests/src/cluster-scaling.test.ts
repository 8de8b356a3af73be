// Scaling history from 1 to 3 processes while workflows run: shards move to the new processes (each acquires what
// the ring assigns it, fencing the previous owner) and every workflow, started before or after, completes. Then one
// process is drained with SIGTERM: it leaves the ring at once (not after its registration expires) and hands its
// shards over.
import { afterAll, describe, expect, it } from '@jest/globals';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { identityOf, redisAvailable, startWave, TestCluster, TEST_REDIS_URL, withWorkload } from './cluster-support.js';

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

    await withWorkload(cluster, async (workload) => {
      const early = await startWave(workload, 'early', PER_WAVE);
      await workload.client.workflow.getHandle(early.ids[0]!).result();

      const added = await Promise.all([cluster.start('history'), cluster.start('history')]);
      const identities = [firstIdentity, ...(await Promise.all(added.map((p) => identityOf(cluster, p))))];
      const after = await cluster.until(() => cluster.shards(), cluster.shardsSettledOn(identities));
      const moved = after.filter((s) => s.storeOwner !== firstIdentity);
      expect(moved.length).toBeGreaterThan(0);
      // A moved shard was acquired again: its range id went up, so the first process's writes to it are fenced.
      for (const shard of moved)
        expect(shard.rangeId).toBeGreaterThan(before.find((s) => s.shardId === shard.shardId)!.rangeId);

      // Graceful drain: deregistration is announced, so the ring drops the process well within its TTL (4 s).
      expect(await cluster.kill(added[1]!, 'SIGTERM')).toBe(0);
      const remaining = identities.filter((id) => id !== identities[2]);
      await cluster.until(
        () => cluster.members(),
        (ms) => ms.filter((m) => m.service === 'history').length === 2,
        3_000,
      );
      await cluster.until(() => cluster.shards(), cluster.shardsSettledOn(remaining));

      const late = await startWave(workload, 'late', PER_WAVE);
      expect(await late.results).toEqual(late.expected);
      expect(await early.results).toEqual(early.expected);
    });
  }, 180_000);
});

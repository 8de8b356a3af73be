// Losing Redis for 10 s: membership freezes (no member joins or leaves, no shard moves) but nothing is lost. Work
// goes on against the last known rings, a history process started during the outage joins once Redis is back,
// and every workflow started before, during and after the outage completes.
import { afterAll, describe, expect, it } from '@jest/globals';
import { setTimeout as delay } from 'node:timers/promises';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import {
  identityOf,
  PrivateRedis,
  redisServerInstalled,
  startWave,
  TestCluster,
  withWorkload,
} from './cluster-support.js';
import { freePort } from './helpers.js';

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
    const [historyA, historyB] = await Promise.all([
      cluster.start('history'),
      cluster.start('history'),
      cluster.start('matching'),
    ]);
    const ringBefore = [await identityOf(cluster, historyA), await identityOf(cluster, historyB)];
    const shardsBefore = await cluster.until(() => cluster.shards(), cluster.shardsSettledOn(ringBefore));

    await withWorkload(cluster, async (workload) => {
      const before = await startWave(workload, 'before', PER_WAVE);
      await redis.stop();
      const outageEnds = Date.now() + OUTAGE_MS;
      // Work continues on the last known rings while Redis is gone.
      const during = await startWave(workload, 'during', PER_WAVE);
      const joining = await cluster.spawn('history');
      await delay(OUTAGE_MS / 2);
      expect(await cluster.shards()).toEqual(shardsBefore);
      expect(
        (await cluster.members())
          .filter((m) => m.service === 'history')
          .map((m) => m.identity)
          .sort(),
      ).toEqual([...ringBefore].sort());
      await delay(Math.max(0, outageEnds - Date.now()));
      await redis.start();
      expect(await before.results).toEqual(before.expected);

      // Everyone re-registers with the empty Redis; the process that waited for Redis joins and takes its shards.
      await joining.ready;
      const ringAfter = [...ringBefore, await identityOf(cluster, joining)];
      await cluster.until(() => cluster.shards(), cluster.shardsSettledOn(ringAfter));
      expect(await during.results).toEqual(during.expected);
      const after = await startWave(workload, 'after', PER_WAVE);
      expect(await after.results).toEqual(after.expected);
    });
  }, 180_000);
});

// Cluster mode under failures (real processes, real Redis): 500 workflows with activities and timers run while a
// history process is killed with SIGKILL, another history process joins and a matching process is restarted.
// Every workflow must complete with its own result, and the shards must end up owned by the live history hosts.
import { afterAll, describe, expect, it } from '@jest/globals';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { identityOf, redisAvailable, startWave, TestCluster, TEST_REDIS_URL, withWorkload } from './cluster-support.js';

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

    await withWorkload(
      cluster,
      async (workload) => {
        const wave = await startWave(workload, 'load', WORKFLOWS);
        // The first workflows are done: timers and activities are in flight everywhere.
        await workload.client.workflow.getHandle(wave.ids[0]!).result();

        expect(await cluster.kill(historyA, 'SIGKILL')).toBeNull();
        const historyC = await cluster.start('history');
        expect(await cluster.kill(matchingA, 'SIGTERM')).toBe(0);
        await cluster.start('matching');

        expect(await wave.results).toEqual(wave.expected);

        const live = [await identityOf(cluster, historyB), await identityOf(cluster, historyC)];
        await cluster.until(() => cluster.shards(), cluster.shardsSettledOn(live));
        const members = await cluster.until(
          () => cluster.members(),
          (ms) => ms.filter((m) => m.service === 'history').length === 2,
        );
        expect(members.filter((m) => m.service === 'matching')).toHaveLength(2);
      },
      { maxConcurrentActivityTaskExecutions: 200 },
    );
  }, 480_000);
});

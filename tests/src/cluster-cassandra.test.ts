// The multi-process cluster on Cassandra: 1 frontend, 2 history and 2 matching processes share one keyspace (set up
// by the schema tool) and a real Redis. Workflows with activities and timers complete while a history process is
// SIGKILLed and another one joins; the shards end up owned, in Cassandra, only by live members.
import { afterAll, describe, expect, it } from '@jest/globals';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { dropCassandraKeyspace, setupCassandraSchema } from '@tempora/persistence';
import { cassandraForTests, uniqueTestKeyspace } from '@tempora/persistence/cassandra-testing';
import { identityOf, redisAvailable, startWave, TestCluster, TEST_REDIS_URL, withWorkload } from './cluster-support.js';

const PER_WAVE = 40;

const optionsFor = await cassandraForTests('cluster on Cassandra');
const describeCluster = optionsFor && (await redisAvailable()) ? describe : describe.skip;

describeCluster('cluster on Cassandra', () => {
  const cassandra = optionsFor!(uniqueTestKeyspace('cluster'));
  const cluster = new TestCluster({ redisUrl: TEST_REDIS_URL, numHistoryShards: 8, cassandra });
  afterAll(async () => {
    await cluster.stop();
    await dropCassandraKeyspace(cassandra);
  });

  it('runs workflows through a history SIGKILL and a history join, every result right', async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    await setupCassandraSchema(cassandra, { replicationFactor: 1 });
    await cluster.start('frontend');
    const [historyA, historyB] = await Promise.all([
      cluster.start('history'),
      cluster.start('history'),
      cluster.start('matching'),
      cluster.start('matching'),
    ]);
    const identityB = await identityOf(cluster, historyB!);

    await withWorkload(cluster, async (workload) => {
      const before = await startWave(workload, 'before', PER_WAVE);
      expect(await cluster.kill(historyA!, 'SIGKILL')).toBeNull();
      const joined = await cluster.start('history');
      const live = [identityB, await identityOf(cluster, joined)];
      const shards = await cluster.until(() => cluster.shards(), cluster.shardsSettledOn(live));
      expect(shards).toHaveLength(8);
      const after = await startWave(workload, 'after', PER_WAVE);
      expect(await before.results).toEqual(before.expected);
      expect(await after.results).toEqual(after.expected);
    });
  }, 300_000);
});

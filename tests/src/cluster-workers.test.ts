// Worker heartbeats in cluster mode (real processes, real Redis): workers on task queues owned by different
// matching processes are listed together, because a namespace's heartbeats all go to the matching host owning its
// registry key. The registry is in memory (as upstream's): when its host is killed, the next heartbeats fill the
// new owner's, so the listing comes back within a few heartbeat intervals.
import { afterAll, describe, expect, it } from '@jest/globals';
import { Connection } from '@temporalio/client';
import { redisAvailable, TestCluster, TEST_REDIS_URL } from './cluster-support.js';
import { uniqueName } from './helpers.js';
import { bundleWorkflows, installRuntime, runWorker, type RunningWorker } from './sdk-support.js';

const describeCluster = (await redisAvailable()) ? describe : describe.skip;

describeCluster('worker heartbeats in a cluster', () => {
  const cluster = new TestCluster({ redisUrl: TEST_REDIS_URL, numHistoryShards: 4 });
  const workers: RunningWorker[] = [];
  let connection: Connection | undefined;
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await connection?.close();
    await cluster.stop();
  }, 60_000);

  it('lists a namespace’s workers from every matching host, and again after the registry’s host is killed', async () => {
    installRuntime({ workerHeartbeatInterval: '1s' });
    await cluster.start('frontend');
    await Promise.all([cluster.start('history'), cluster.start('matching'), cluster.start('matching')]);
    const [matchingA, matchingB] = cluster.processes.filter((p) => p.service === 'matching');
    await cluster.until(
      () => cluster.members(),
      (ms) => ms.filter((m) => m.service === 'matching').length === 2,
    );

    const prefix = uniqueName('cluster-workers');
    const queues = [1, 2, 3, 4].map((i) => `${prefix}-${i}`);
    const bundle = await bundleWorkflows();
    for (const taskQueue of queues)
      workers.push(await runWorker(cluster.frontendAddress, { taskQueue, workflowBundle: bundle }));
    connection = await Connection.connect({ address: cluster.frontendAddress });
    const svc = connection.workflowService;
    const listedQueues = async () => {
      const { workers: listed } = await svc.listWorkers({
        namespace: 'default',
        query: `TaskQueue STARTS_WITH '${prefix}'`,
      });
      return listed.map((w) => w.taskQueue ?? '').sort();
    };
    const allListed = (listed: string[]) => JSON.stringify(listed) === JSON.stringify(queues);
    const readQueues = () => listedQueues().catch(() => [] as string[]);

    expect(await cluster.until(readQueues, allListed, 30_000)).toEqual(queues);

    // Whichever of the two holds the registry, one of these kills hits it; each time the listing recovers.
    await cluster.kill(matchingA!, 'SIGKILL');
    expect(await cluster.until(readQueues, allListed, 60_000)).toEqual(queues);
    await cluster.start('matching');
    await cluster.kill(matchingB!, 'SIGKILL');
    expect(await cluster.until(readQueues, allListed, 60_000)).toEqual(queues);
    const count = await svc.countWorkers({ namespace: 'default', query: `TaskQueue STARTS_WITH '${prefix}'` });
    expect(Number(count.count)).toBe(queues.length);
  }, 240_000);
});

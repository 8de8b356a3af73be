// Schedules in cluster mode (real processes, real Redis): two worker-service processes serve the per-namespace task
// queue; a 1 s schedule keeps firing when the worker process running its scheduler workflow is killed with SIGKILL,
// when the history process owning the scheduler workflow's shard is killed and the shard moves, and when the
// frontend the worker service calls is killed and restarted. The started workflows' ids (one per nominal time) show
// no nominal time twice and none skipped.
import { afterAll, describe, expect, it } from '@jest/globals';
import { Client, Connection, ScheduleOverlapPolicy } from '@temporalio/client';
import { PER_NAMESPACE_TASK_QUEUE, SCHEDULER_WORKFLOW_ID_PREFIX } from '@tempora/common';
import { shardIdFor } from '@tempora/membership';
import protos from '@temporalio/proto';
import { identityOf, redisAvailable, TestCluster, TEST_REDIS_URL, type ClusterProcess } from './cluster-support.js';
import { uniqueName } from './helpers.js';

const SHARDS = 4;

const describeCluster = (await redisAvailable()) ? describe : describe.skip;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `read` until `done` holds. */
async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, ms = 30_000): Promise<T> {
  const giveUpAt = Date.now() + ms;
  for (;;) {
    const value = await read().catch((err: unknown) => err as T);
    if (!(value instanceof Error) && done(value)) return value;
    if (Date.now() > giveUpAt) throw new Error(`${what} did not happen: ${String(value)}`);
    await sleep(200);
  }
}

describeCluster('schedules in a cluster', () => {
  const cluster = new TestCluster({ redisUrl: TEST_REDIS_URL, numHistoryShards: SHARDS });
  const connections: Connection[] = [];
  afterAll(async () => {
    await Promise.all(connections.map((c) => c.close()));
    await cluster.stop();
  });

  it('keeps firing through SIGKILLs of a worker service, the history owning the scheduler and the frontend', async () => {
    const startedAt = Date.now();
    const frontend = await cluster.start('frontend');
    const frontendEnv = { TEMPORA_SERVICES__WORKER__FRONTEND_ADDRESS: `127.0.0.1:${frontend.port}` };
    const [historyA, historyB] = await Promise.all([
      cluster.start('history'),
      cluster.start('history'),
      cluster.start('matching'),
    ]);
    const workers = await Promise.all([
      cluster.start('worker', { env: frontendEnv }),
      cluster.start('worker', { env: frontendEnv }),
    ]);
    const historyIds = new Map([
      [await identityOf(cluster, historyA), historyA],
      [await identityOf(cluster, historyB), historyB],
    ]);
    await cluster.until(() => cluster.shards(), cluster.shardsSettledOn([...historyIds.keys()]));

    const connection = await Connection.connect({ address: cluster.frontendAddress });
    connections.push(connection);
    const client = new Client({ connection, namespace: 'default' });
    const service = connection.workflowService;

    try {
      // Both worker processes poll the per-namespace queue of `default`, each under its own identity.
      const pollers = await until(
        'two worker-service pollers',
        async () =>
          (
            await service.describeTaskQueue({
              namespace: 'default',
              taskQueue: { name: PER_NAMESPACE_TASK_QUEUE },
              taskQueueType: protos.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            })
          ).pollers ?? [],
        (ps) => workers.every((w) => ps.some((p) => processOf(p.identity ?? '', workers) === w)),
      );
      expect(pollers.length).toBeGreaterThanOrEqual(2);

      const scheduleId = uniqueName('cluster-every-second');
      const workflowId = uniqueName('cluster-wf');
      // ALLOW_ALL: the started workflows (nobody polls their queue) keep running, and every nominal time starts one.
      const handle = await client.schedule.create({
        scheduleId,
        spec: { intervals: [{ every: '1s' }] },
        action: {
          type: 'startWorkflow',
          workflowType: 'completesWorkflow',
          taskQueue: uniqueName('nobody'),
          workflowId,
        },
        policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
      });
      const actions = async () => (await handle.describe()).info.numActionsTaken;
      const moreActions = async (what: string, count: number) => {
        const before = await actions();
        await until(what, actions, (n) => n >= before + count);
      };
      await moreActions('first actions', 2);

      // The worker process that ran the scheduler's latest workflow task (it has the workflow cached) dies.
      const schedulerId = SCHEDULER_WORKFLOW_ID_PREFIX + scheduleId;
      const history = await client.workflow.getHandle(schedulerId).fetchHistory();
      const lastIdentity = [...(history.events ?? [])].reverse().find((e) => e.workflowTaskStartedEventAttributes)
        ?.workflowTaskStartedEventAttributes?.identity;
      const busy = processOf(lastIdentity ?? '', workers);
      expect(busy).toBeDefined();
      expect(await cluster.kill(busy!, 'SIGKILL')).toBeNull();
      await moreActions('actions after the worker SIGKILL', 3);

      // The history process owning the scheduler workflow's shard dies; the shard moves to the other one.
      const namespaceId = (await service.describeNamespace({ namespace: 'default' })).namespaceInfo!.id!;
      const shardId = shardIdFor(namespaceId, schedulerId, SHARDS);
      const owner = (await cluster.shards()).find((s) => s.shardId === shardId)!.storeOwner;
      const ownerProcess = historyIds.get(owner)!;
      expect(ownerProcess).toBeDefined();
      expect(await cluster.kill(ownerProcess, 'SIGKILL')).toBeNull();
      const survivor = [...historyIds.keys()].filter((id) => id !== owner);
      await cluster.until(() => cluster.shards(), cluster.shardsSettledOn(survivor), 30_000);
      await moreActions('actions after the history SIGKILL', 3);

      // The frontend the worker service calls dies and comes back on its port: the worker reconnects.
      expect(await cluster.kill(frontend, 'SIGKILL')).toBeNull();
      await cluster.start('frontend', { port: frontend.port });
      await moreActions('actions after the frontend restart', 3);

      await handle.pause();
      const described = await handle.describe();
      const times = await until(
        'visibility of every started workflow',
        () => startedTimes(client, workflowId),
        (ts) => ts.length >= described.info.numActionsTaken,
      );
      // No nominal time twice, none skipped: every second from the first to the last, each once.
      expect(new Set(times).size).toBe(times.length);
      expect(times).toEqual(times.map((_, i) => times[0]! + i * 1000));
      expect(times.length).toBe(described.info.numActionsTaken);
      expect(times.length).toBeGreaterThanOrEqual(8);
      console.log(`cluster schedules: ${times.length} actions, ${Date.now() - startedAt} ms`);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${cluster.logs()}`);
    }
  }, 120_000);
});

/** The worker process whose pid a poller identity names (`...@<host>:<pid>`). */
function processOf(identity: string, workers: ClusterProcess[]): ClusterProcess | undefined {
  const pid = Number(/:(\d+)$/.exec(identity)?.[1]);
  return workers.find((w) => w.child.pid === pid);
}

/** The nominal times (ms) of a schedule's started workflows, one entry per run. */
async function startedTimes(client: Client, workflowId: string): Promise<number[]> {
  const times: number[] = [];
  for await (const wf of client.workflow.list({ query: `WorkflowId STARTS_WITH '${workflowId}-'` })) {
    times.push(Date.parse(wf.workflowId.slice(workflowId.length + 1)));
  }
  return times.sort((a, b) => a - b);
}

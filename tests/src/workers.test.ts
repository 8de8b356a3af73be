// Worker heartbeats as the official TS SDK sends them (RecordWorkerHeartbeat once the namespace advertises
// workerHeartbeats, and a last one with ShutdownWorker), read back with ListWorkers, CountWorkers and DescribeWorker.
// Passes against the official dev server too with TEMPORA_TEST_ORACLE, except where noted.
import { describe, expect, it } from '@jest/globals';
import protos from '@temporalio/proto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findTemporalCli, grpcFailure, uniqueName } from './helpers.js';
import { installRuntime, runWorker, useSdkTarget } from './sdk-support.js';

const { WorkerStatus } = protos.temporal.api.enums.v1;
const ORACLE = Boolean(process.env.TEMPORA_TEST_ORACLE);
const cli = findTemporalCli();
const run = promisify(execFile);

// Every worker of this file heartbeats each second (SDK default: a minute); installed before the target starts.
installRuntime({ workerHeartbeatInterval: '1s' });

const taskQueue = uniqueName('workers');
const sdk = useSdkTarget({ taskQueue });

type Workers = Awaited<ReturnType<typeof listWorkers>>;
const listWorkers = (query: string, includeSystemWorkers = false) =>
  sdk.connection.workflowService.listWorkers({ namespace: 'default', query, includeSystemWorkers });

/** Lists until `check` holds for the answer (heartbeats arrive each second). */
async function workersWhen(query: string, check: (workers: Workers) => boolean, includeSystem = false) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await listWorkers(query, includeSystem);
    if (check(answer)) return answer;
    if (Date.now() > deadline) throw new Error(`ListWorkers(${query}) never matched: ${JSON.stringify(answer)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

type Heartbeat = NonNullable<
  NonNullable<
    Awaited<ReturnType<typeof sdk.connection.workflowService.describeWorker>>['workerInfo']
  >['workerHeartbeat']
>;

/** Describes the worker until its latest heartbeat satisfies `check`. */
async function describedWhen(workerInstanceKey: string, check: (heartbeat: Heartbeat) => boolean) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const described = await sdk.connection.workflowService.describeWorker({ namespace: 'default', workerInstanceKey });
    const heartbeat = described.workerInfo!.workerHeartbeat!;
    if (check(heartbeat)) return heartbeat;
    if (Date.now() > deadline) throw new Error(`DescribeWorker never matched: ${JSON.stringify(heartbeat)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('worker heartbeats', () => {
  it("lists, counts and describes the file's worker from its heartbeats", async () => {
    const { workers, workersInfo } = await workersWhen(`TaskQueue = '${taskQueue}'`, (w) => w.workers.length === 1);
    const worker = workers[0]!;
    expect(worker).toMatchObject({
      taskQueue,
      sdkName: 'temporal-typescript',
      sdkVersion: '1.24.0',
      status: WorkerStatus.WORKER_STATUS_RUNNING,
      workerIdentity: sdk.worker.worker.options.identity,
    });
    expect(worker.hostName).not.toBe('');
    expect(worker.workerInstanceKey).not.toBe('');
    expect(workersInfo[0]?.workerHeartbeat?.workerInstanceKey).toBe(worker.workerInstanceKey);

    // The first heartbeat may leave before the worker's pollers start; a later one counts them.
    const heartbeat = await describedWhen(
      worker.workerInstanceKey!,
      (beat) => (beat.workflowPollerInfo?.currentPollers ?? 0) > 0,
    );
    expect(heartbeat).toMatchObject({ taskQueue, workerInstanceKey: worker.workerInstanceKey });
    expect(heartbeat.workflowPollerInfo?.currentPollers).toBeGreaterThan(0);
    expect(Number(heartbeat.heartbeatTime?.seconds)).toBeGreaterThan(0);

    const count = await sdk.connection.workflowService.countWorkers({
      namespace: 'default',
      query: `TaskQueue = '${taskQueue}' AND Status = 'Running'`,
    });
    expect(Number(count.count)).toBe(1);
    const byHost = await listWorkers(`HostName = '${worker.hostName}' AND TaskQueue STARTS_WITH '${taskQueue}'`);
    expect(byHost.workers.map((w) => w.workerInstanceKey)).toEqual([worker.workerInstanceKey]);
  });

  it('lists system workers only when asked', async () => {
    // The server's own per-namespace worker (Tempora's worker service shares this process's SDK runtime).
    const system = await workersWhen('', (w) => w.workers.some((x) => x.taskQueue?.startsWith('temporal-sys-')), true);
    expect(system.workers.length).toBeGreaterThan(0);
    const user = await listWorkers('');
    expect(user.workers.some((x) => x.taskQueue?.startsWith('temporal-sys-'))).toBe(false);
  });

  it("records a stopping worker's last heartbeat as ShuttingDown", async () => {
    const queue = uniqueName('workers-stop');
    const worker = await runWorker(sdk.address, { taskQueue: queue, workflowBundle: sdk.bundle });
    await workersWhen(`TaskQueue = '${queue}'`, (w) => w.workers[0]?.status === WorkerStatus.WORKER_STATUS_RUNNING);
    await worker.stop();
    const { workers } = await listWorkers(`TaskQueue = '${queue}'`);
    expect(workers.map((w) => w.status)).toEqual([WorkerStatus.WORKER_STATUS_SHUTTING_DOWN]);
    const shuttingDown = await listWorkers(`TaskQueue = '${queue}' AND Status = 'ShuttingDown'`);
    expect(shuttingDown.workers).toHaveLength(1);
  });

  (cli ? it : it.skip)('serves `temporal worker list` and `temporal worker describe`', async () => {
    const temporal = (...args: string[]) => run(cli!, ['worker', ...args, '--address', sdk.address, '-o', 'json']);
    const { workers } = await workersWhen(`TaskQueue = '${taskQueue}'`, (w) => w.workers.length === 1);
    const key = workers[0]!.workerInstanceKey!;
    const listed = JSON.parse((await temporal('list', '--query', `TaskQueue = '${taskQueue}'`)).stdout) as Array<{
      workerHeartbeat: { workerInstanceKey: string };
    }>;
    expect(listed.map((w) => w.workerHeartbeat.workerInstanceKey)).toEqual([key]);
    const described = JSON.parse((await temporal('describe', '--worker-instance-key', key)).stdout) as {
      workerHeartbeat: { taskQueue: string; status: string };
    };
    expect(described.workerHeartbeat).toMatchObject({ taskQueue, status: 'WORKER_STATUS_RUNNING' });
  });

  it('answers NOT_FOUND for an unknown worker and INVALID_ARGUMENT for a bad query', async () => {
    const missing = await grpcFailure(
      sdk.connection.workflowService.describeWorker({ namespace: 'default', workerInstanceKey: 'nope' }),
    );
    expect(missing).toMatchObject({ code: 5, message: 'Worker nope not found' });
    const unknownNamespace = await grpcFailure(
      sdk.connection.workflowService.listWorkers({ namespace: uniqueName('ns') }),
    );
    expect(unknownNamespace.code).toBe(5);
    if (ORACLE) return; // the official server (1.32) answers a bad worker query with no workers instead
    const unknownField = await grpcFailure(listWorkers("Bogus = 'x'"));
    expect(unknownField).toMatchObject({
      code: 3,
      message: 'unknown or unsupported worker heartbeat search field: Bogus',
    });
    const badToken = await grpcFailure(
      sdk.connection.workflowService.listWorkers({ namespace: 'default', nextPageToken: Buffer.from('x') }),
    );
    expect(badToken).toMatchObject({ code: 3, message: 'Invalid NextPageToken.' });
    const malformed = await grpcFailure(listWorkers('TaskQueue ='));
    expect(malformed.code).toBe(3);
    expect(malformed.message).toMatch(/^malformed query/);
  });
});

// Support for the SDK feature tests: the server under test with a client and a worker on it (useSdkTarget), history
// reading and long-polling, and bundles of the test workflows shared by a file's workers.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from '@jest/globals';
import protos, { type temporal } from '@temporalio/proto';
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type RuntimeOptions,
  type WorkerOptions,
  type WorkflowBundle,
} from '@temporalio/worker';
import type { DevServerOptions } from '@tempora/cli';
import { eventually, startTestServer, uniqueName } from './helpers.js';

/**
 * The frontend a test file talks to: an in-process Tempora dev server, or, when TEMPORA_TEST_ORACLE is set to an
 * address (e.g. `localhost:7299` of `temporal server start-dev`), that already running server. Pointing a test file at
 * the official Go server checks that its expected histories are upstream's.
 */
export interface TestTarget {
  address: string;
  connection: Connection;
  close(): Promise<void>;
}

export async function startTestTarget(options: DevServerOptions = {}): Promise<TestTarget> {
  const oracle = process.env.TEMPORA_TEST_ORACLE;
  if (oracle) {
    const connection = await Connection.connect({ address: oracle });
    return { address: oracle, connection, close: () => connection.close() };
  }
  const t = await startTestServer(options);
  return { address: t.server.address, connection: t.connection, close: () => t.close() };
}

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** `WORKFLOW_TASK_STARTED` for an event of type EVENT_TYPE_WORKFLOW_TASK_STARTED. */
export function eventTypeName(event: HistoryEvent): string {
  return (protos.temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType)).replace(
    'EVENT_TYPE_',
    '',
  );
}

/** Every event of a run's history, read page by page. */
export async function readHistory(
  connection: Connection,
  workflowId: string,
  runId?: string,
  namespace = 'default',
): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await connection.workflowService.getWorkflowExecutionHistory({
      namespace,
      execution: { workflowId, runId },
      nextPageToken,
    });
    events.push(...(page.history?.events ?? []));
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return events;
}

/**
 * Long-polls a run's history (waitNewEvent) until an event matches, and returns the history up to and including it.
 * Throws when the run's history ends without a match.
 */
export async function waitForEvent(
  connection: Connection,
  workflowId: string,
  runId: string | undefined,
  predicate: (event: HistoryEvent) => boolean,
  namespace = 'default',
): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  for (;;) {
    const page = await connection.workflowService.getWorkflowExecutionHistory({
      namespace,
      execution: { workflowId, runId },
      nextPageToken,
      waitNewEvent: true,
    });
    for (const event of page.history?.events ?? []) {
      events.push(event);
      if (predicate(event)) return events;
    }
    if (!page.nextPageToken?.length) throw new Error(`history of ${workflowId} ended without the awaited event`);
    nextPageToken = page.nextPageToken;
  }
}

let runtimeInstalled = false;

/**
 * Installs the SDK runtime once per test file (a second install throws), logging errors only: the tests provoke the
 * SDK's warnings on purpose. `workerHeartbeatInterval` (SDK default 60 s) applies to every worker of the file,
 * an in-process server's system workers included.
 */
export function installRuntime(options: Pick<RuntimeOptions, 'workerHeartbeatInterval'> = {}): void {
  if (runtimeInstalled) return;
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } },
      ...options,
    });
  } catch {
    // An in-process server's worker service already created the default runtime.
  }
  runtimeInstalled = true;
}

/** Bundles a module of tests/src/workflows once, so that a file's workers share it instead of each running webpack. */
export function bundleWorkflows(module = 'features'): Promise<WorkflowBundle> {
  const workflowsPath = fileURLToPath(new URL(`./workflows/${module}.js`, import.meta.url));
  return bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
}

/** An SDK worker running against the target until stopped. */
export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

export async function runWorker(address: string, options: Omit<WorkerOptions, 'connection'>): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({ connection, namespace: 'default', ...options });
  const running = worker.run();
  running.catch(() => undefined); // surfaced by stop()
  let stopped: Promise<void> | undefined;
  return {
    worker,
    stop() {
      stopped ??= (async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
        await connection.close();
      })();
      return stopped;
    },
  };
}

/**
 * A workflow driven by hand through the worker protocol (no SDK worker): started on a fresh queue, with `poll` taking
 * its next workflow task.
 */
export async function startRawWorkflow(connection: Connection, prefix: string) {
  const queue = uniqueName(prefix);
  const workflowId = uniqueName('raw');
  const svc = connection.workflowService;
  await svc.startWorkflowExecution({
    namespace: 'default',
    workflowId,
    workflowType: { name: 'rawWorkflow' },
    taskQueue: { name: queue },
    requestId: uniqueName('req'),
  });
  const poll = () =>
    connection.withDeadline(Date.now() + 30_000, () =>
      svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: queue }, identity: 'raw' }),
    );
  return { workflowId, poll };
}

/** A test file's target with a client (namespace default) and a worker polling the file's task queue. */
export interface SdkTarget extends Omit<TestTarget, 'close'> {
  client: Client;
  /** The worker's workflows, for further workers a test starts. */
  bundle: WorkflowBundle;
  worker: RunningWorker;
}

export interface SdkTargetOptions {
  taskQueue: string;
  /** The module of tests/src/workflows the worker runs. */
  workflows?: string;
  activities?: WorkerOptions['activities'];
  /** Further options of the worker. */
  workerOptions?: Omit<WorkerOptions, 'connection' | 'taskQueue' | 'workflowBundle' | 'activities'>;
  /** Starts the server; by default the one startTestTarget picks. */
  start?: () => Promise<TestTarget>;
}

/**
 * Starts a target and a worker on it before the tests of the file (or describe block) that calls it, and stops
 * both after them. The returned object's fields are set once that set-up ran, so read them inside tests and hooks.
 */
export function useSdkTarget({
  taskQueue,
  workflows,
  activities,
  workerOptions,
  start = startTestTarget,
}: SdkTargetOptions): SdkTarget {
  const sdk = {} as SdkTarget;
  let target: TestTarget | undefined;
  let running: RunningWorker | undefined;
  beforeAll(async () => {
    installRuntime();
    target = await start();
    const bundle = await bundleWorkflows(workflows);
    running = await runWorker(target.address, { taskQueue, workflowBundle: bundle, activities, ...workerOptions });
    const client = new Client({ connection: target.connection, namespace: 'default' });
    Object.assign(sdk, { address: target.address, connection: target.connection, client, bundle, worker: running });
  }, 120_000);
  afterAll(async () => {
    await running?.stop();
    await target?.close();
  }, 60_000);
  return sdk;
}

/**
 * `count` runs of the `signalCollector` test workflow (waiting for 100 signals) with ids `<prefix>-<i>` on
 * `taskQueue`, returned once visibility lists them running: the targets of batch-operation tests.
 */
export async function startSignalCollectors(
  client: Client,
  taskQueue: string,
  prefix: string,
  count: number,
): Promise<{ workflowId: string; runId: string }[]> {
  const started = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const handle = await client.workflow.start('signalCollector', {
        taskQueue,
        workflowId: `${prefix}-${i}`,
        args: [100],
      });
      return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
    }),
  );
  await eventually(async () => {
    const { count: listed } = await client.workflow.count(
      `WorkflowId STARTS_WITH '${prefix}-' AND ExecutionStatus = 'Running'`,
    );
    if (listed !== count) throw new Error(`${listed} of ${count} runs listed as running`);
  });
  return started;
}

/**
 * Waits until visibility counts no open batch job in the client's namespace: one open job per namespace is the
 * default limit, and visibility learns of a job's close a moment after it closed.
 */
export async function untilNoOpenBatchJob(client: Client): Promise<void> {
  await eventually(async () => {
    const open = await client.workflow.count(
      "TemporalNamespaceDivision = 'TemporalBatcher' AND ExecutionStatus = 'Running'",
    );
    if (open.count !== 0) throw new Error(`${open.count} batch jobs open`);
  });
}

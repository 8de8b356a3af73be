// Runs the hello workload against one server with the official SDK and measures it.
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Client, Connection, isGrpcServiceError } from '@temporalio/client';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  bundleWorkflowCode,
  type WorkflowBundle,
} from '@temporalio/worker';
import * as activities from './activities.js';
import { summarizeLatencies, type LatencySummary } from './stats.js';
import type { hello } from './workflows.js';

export interface WorkloadOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  workflows: number;
  /** Max workflows in flight (started, result not yet received). */
  concurrency: number;
  /** SDK Worker instances polling the task queue. */
  workers: number;
  /** Workflows run first and not measured (worker caches, connections, JIT). */
  warmupWorkflows: number;
  /** Distinguishes workflow ids across runs against the same server. */
  runId: string;
  workflowBundle: WorkflowBundle;
  /** Told when the measured workflows start and when the last one has finished (after the warm-up). */
  phase?: { begin(): Promise<void>; end(): Promise<void> };
}

export interface WorkloadResult {
  workflows: number;
  wallSeconds: number;
  workflowsPerSecond: number;
  latencyMs: LatencySummary;
}

/** Bounds each workflow's start-to-result time so a server that accepts work but never completes it fails the run. */
const WORKFLOW_DEADLINE_MS = 60_000;

const sdkLogger = new DefaultLogger('WARN');

/**
 * Must run before any worker or native connection is created. Signals are left to the bench (it must stop the
 * servers it started); worker heartbeats are off so both servers see exactly the workload's RPCs.
 */
export function installSdkRuntime(): void {
  Runtime.install({ logger: sdkLogger, shutdownSignals: [], workerHeartbeatInterval: 0 });
}

/** Bundled once and shared by every worker of every target, so bundling stays out of the measurements. */
export async function bundleWorkflows(): Promise<WorkflowBundle> {
  return await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./workflows.js', import.meta.url)),
    logger: sdkLogger,
  });
}

const GRPC_STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];

/** One line naming the failed operation and, when the SDK wrapped a gRPC error, its status (e.g. UNIMPLEMENTED). */
function describeFailure(operation: string, err: unknown): string {
  for (let cause: unknown = err; cause instanceof Error; cause = cause.cause) {
    if (isGrpcServiceError(cause)) {
      const status = GRPC_STATUS_NAMES[cause.code] ?? `status ${cause.code}`;
      const verdict = status === 'UNIMPLEMENTED' ? 'is UNIMPLEMENTED' : `failed with ${status}`;
      return `${operation} ${verdict}: ${cause.details}`;
    }
  }
  return `${operation} failed: ${err instanceof Error ? err.message : String(err)}`;
}

async function attempt<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new Error(describeFailure(operation, err), { cause: err });
  }
}

/** Runs `count` hello workflows, at most `concurrency` at a time; returns each one's start-to-result latency in ms. */
async function runHelloWorkflows(
  client: Client,
  {
    count,
    concurrency,
    taskQueue,
    idPrefix,
  }: { count: number; concurrency: number; taskQueue: string; idPrefix: string },
  signal: AbortSignal,
): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const lane = async () => {
    while (next < count) {
      signal.throwIfAborted();
      const workflowId = `${idPrefix}-${next++}`;
      const startedAt = performance.now();
      const result = await client.withDeadline(Date.now() + WORKFLOW_DEADLINE_MS, async () => {
        const handle = await attempt('StartWorkflowExecution', () =>
          client.workflow.start<typeof hello>('hello', { taskQueue, workflowId, args: [workflowId] }),
        );
        return await attempt('waiting for the workflow result (GetWorkflowExecutionHistory)', () => handle.result());
      });
      latencies.push(performance.now() - startedAt);
      if (result !== `Hello, ${workflowId}!`)
        throw new Error(`workflow ${workflowId} returned ${JSON.stringify(result)}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return latencies;
}

/** Warm-up, then the measured run. */
async function measure(client: Client, options: WorkloadOptions, signal: AbortSignal): Promise<WorkloadResult> {
  const { concurrency, taskQueue } = options;
  const idPrefix = `bench-${options.runId}`;
  await runHelloWorkflows(
    client,
    { count: options.warmupWorkflows, concurrency, taskQueue, idPrefix: `${idPrefix}-warmup` },
    signal,
  );
  await options.phase?.begin();
  const startedAt = performance.now();
  const latencies = await runHelloWorkflows(
    client,
    { count: options.workflows, concurrency, taskQueue, idPrefix },
    signal,
  );
  const wallSeconds = (performance.now() - startedAt) / 1000;
  await options.phase?.end();
  return {
    workflows: latencies.length,
    wallSeconds,
    workflowsPerSecond: latencies.length / wallSeconds,
    latencyMs: summarizeLatencies(latencies),
  };
}

export async function runWorkload(options: WorkloadOptions): Promise<WorkloadResult> {
  const { address, namespace, taskQueue } = options;
  const connection = await attempt('client connect', () => Connection.connect({ address }));
  // One connection per worker: the SDK refuses two workers for the same task queue on one connection, and it is
  // closer to W separate worker processes.
  const workerConnections: NativeConnection[] = [];
  const workers: Worker[] = [];
  const workerRuns: Promise<void>[] = [];
  // A worker that fails or stops early aborts the workload instead of leaving its workflows hanging.
  const abort = new AbortController();
  // Every in-flight call listens on the signal, so up to `concurrency` listeners are expected.
  setMaxListeners(0, abort.signal);
  let workerFailure: Error | undefined;
  const onWorkerEnd = (err?: unknown) => {
    if (abort.signal.aborted) return; // already failing, or the shutdown in `finally` below
    workerFailure = err
      ? new Error(describeFailure('worker', err), { cause: err })
      : new Error('a worker stopped before the workload finished');
    abort.abort(workerFailure);
  };
  try {
    for (let i = 0; i < options.workers; i++) {
      const workerConnection = await attempt('worker connect', () => NativeConnection.connect({ address }));
      workerConnections.push(workerConnection);
      const worker = await attempt('Worker.create', () =>
        Worker.create({
          connection: workerConnection,
          namespace,
          taskQueue,
          workflowBundle: options.workflowBundle,
          activities,
        }),
      );
      workers.push(worker);
      // Run each worker as soon as it exists: a created worker holds its connection open until it has run.
      workerRuns.push(worker.run().then(() => onWorkerEnd(), onWorkerEnd));
    }
    const client = new Client({ connection, namespace });
    return await client.withAbortSignal(abort.signal, () => measure(client, options, abort.signal));
  } catch (err) {
    throw workerFailure ?? err;
  } finally {
    abort.abort();
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    await Promise.all(workerRuns);
    await Promise.all([connection, ...workerConnections].map((c) => c.close()));
  }
}

// The worker service: system workflows run by the official TypeScript SDK against our own frontend, as upstream's
// worker service does. Per-namespace workers (task queue temporal-sys-per-ns-tq, one SDK Worker per namespace, few
// pollers) run the scheduler workflows of each namespace's schedules and the batcher workflows of its batch jobs; a
// worker on the internal namespace temporal-system is there for the system-wide workflows. The service connects once the frontend answers (in
// start-dev the process tells it the frontend's bound address after listening) and drains its workers at stop,
// before the frontend stops.
import { existsSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Server } from '@grpc/grpc-js';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { PER_NAMESPACE_TASK_QUEUE, SYSTEM_NAMESPACE, type Logger, type TemporaConfig } from '@tempora/common';
import type { PersistenceStores } from '@tempora/persistence';
import * as workflowMessages from '@tempora/proto/workflowservice';
import { WorkflowServiceService, type WorkflowServiceServer } from '@tempora/proto/workflowservice';
import {
  Code,
  grpcClient,
  isRpcError,
  systemWorkerClientOptions,
  systemWorkerConnectionOptions,
  type ClosableRpcClient,
} from '@tempora/rpc';
import { NamespaceState } from '@tempora/proto/enums';
import type { NamespaceRegistry } from '@tempora/namespace';
import type { HistoryServiceServer } from '@tempora/proto/internal';
import type { RpcClient } from '@tempora/rpc';
import type { VisibilityStore } from '@tempora/visibility';

export type { SchedulerActivities } from './activities.js';
export type { BatcherActivities } from './batcher-activities.js';

export interface WorkerOptions {
  config: TemporaConfig;
  logger: Logger;
  stores: PersistenceStores;
  /** This process hosts a frontend: its address arrives with useLocalFrontend once it listens. */
  localFrontend?: boolean;
  /** Namespace deletion works on these directly, as upstream's worker does. */
  namespaces: NamespaceRegistry;
  visibility: VisibilityStore;
  history: RpcClient<HistoryServiceServer>;
}

/** How often the service lists namespaces to start workers for new ones. */
const NAMESPACE_DISCOVERY_MS = 5_000;
const CONNECT_RETRY_MS = 500;
/**
 * How long after the frontend listens the SDK is loaded. Loading it blocks the event loop (about half a second on an
 * idle machine, seconds on a busy one); right after a start, a restart after kill -9 above all, SDK workers
 * reconnect and retry their workflow task completions, and they are served first.
 */
const SDK_LOAD_DELAY_MS = 1_000;
/** Upstream registers temporal-system with a one-week retention. */
const SYSTEM_NAMESPACE_RETENTION = { seconds: 7 * 24 * 3600, nanos: 0 };

/**
 * The SDK is loaded once the frontend listens, not at process start: it is the largest set of modules the process
 * loads, and until the port is open every restart (kill -9 included) leaves SDK workers retrying their calls.
 */
const sdk = () => import('@temporalio/worker');
/** The activities import the SDK's activity and common packages: loaded with it. */
const systemActivities = async () => {
  const [scheduler, batcher, deletion] = await Promise.all([
    import('./activities.js'),
    import('./batcher-activities.js'),
    import('./namespace-deletion-activities.js'),
  ]);
  return { ...scheduler, ...batcher, ...deletion };
};

const BUNDLE = fileURLToPath(new URL('./workflow-bundle.js', import.meta.url));
const WORKFLOWS = fileURLToPath(new URL('./workflows/index.js', import.meta.url));

/** The prebuilt bundle when it is at least as new as the compiled workflows; else the SDK bundles at start. */
export function workflowSource(): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  if (existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= statSync(WORKFLOWS).mtimeMs) {
    return { workflowBundle: { codePath: BUNDLE } };
  }
  return { workflowsPath: WORKFLOWS };
}

export class WorkerService {
  readonly grpcServiceNames: string[] = [];
  private readonly logger: Logger;
  private frontendAddress: string | undefined;
  private addressKnown: (() => void) | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private connection: NativeConnection | undefined;
  private client: ClosableRpcClient<WorkflowServiceServer> | undefined;
  private readonly workers = new Map<string, { worker: Worker; run: Promise<void> }>();

  private readonly config: TemporaConfig;
  private readonly options: WorkerOptions;

  constructor(options: WorkerOptions) {
    this.logger = options.logger.child({ service: 'worker' });
    this.config = options.config;
    this.options = options;
    this.frontendAddress = options.config.services.worker.frontendAddress || undefined;
    // A process without a frontend of its own reaches the cluster's at the configured port.
    if (!this.frontendAddress && !options.localFrontend) {
      this.frontendAddress = `${options.config.bindIp}:${options.config.services.frontend.grpcPort}`;
    }
  }

  register(_server: Server): void {}

  /** The address of the frontend this process hosts, once it listens (start-dev, or `start` with the frontend). */
  useLocalFrontend(address: string): void {
    if (this.frontendAddress) return;
    this.frontendAddress = address;
    this.addressKnown?.();
  }

  /** Returns at once: the workers start in the background once the frontend answers. */
  async start(): Promise<void> {
    this.running = this.supervise().catch((err: unknown) => {
      if (!this.stopped) this.logger.error({ err }, 'worker service failed');
    });
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.addressKnown?.();
    this.wake?.();
    await this.running;
    await Promise.all(
      [...this.workers.values()].map(async ({ worker, run }) => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await run.catch(() => {});
      }),
    );
    this.workers.clear();
    await this.connection?.close();
    this.client?.close();
    this.logger.debug('stopped');
  }

  /** Namespaces with a running per-namespace worker (tests, admin). */
  namespacesServed(): string[] {
    return [...this.workers.keys()];
  }

  private async supervise(): Promise<void> {
    if (!this.frontendAddress) await new Promise<void>((resolve) => (this.addressKnown = resolve));
    const address = this.frontendAddress!;
    this.client = grpcClient<WorkflowServiceServer>(
      WorkflowServiceService,
      workflowMessages,
      address,
      systemWorkerClientOptions(this.config, this.logger),
    );
    // Registered before the SDK loads (seconds on a busy machine): DeleteNamespace needs temporal-system at once.
    await this.frontendAnswers();
    await this.registerSystemNamespace();
    await this.pause(SDK_LOAD_DELAY_MS);
    if (this.stopped) return;
    this.connection = await this.connect(address);
    if (!this.connection) return;
    this.logger.info({ frontend: address }, 'worker service connected');
    while (!this.stopped) {
      try {
        await this.discoverNamespaces();
      } catch (err) {
        this.logger.warn({ err }, 'listing namespaces failed');
      }
      await this.pause(NAMESPACE_DISCOVERY_MS);
    }
  }

  /** Waits `ms`, or less when stop() wakes it. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      setTimeout(resolve, ms).unref();
    });
  }

  private async frontendAnswers(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.client!.getSystemInfo({}, { deadline: Date.now() + 2_000 });
        return;
      } catch (err) {
        this.logger.debug({ err, address: this.frontendAddress }, 'frontend not answering yet');
        await new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_MS));
      }
    }
  }

  private async connect(address: string): Promise<NativeConnection | undefined> {
    while (!this.stopped) {
      try {
        const { NativeConnection } = await sdk();
        return await NativeConnection.connect(systemWorkerConnectionOptions(this.config, address));
      } catch (err) {
        this.logger.debug({ err, address }, 'SDK connection to the frontend failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_MS));
      }
    }
    return undefined;
  }

  /** Retried until it is done: a frontend that fails now (restarting, store busy) must not stop the service. */
  private async registerSystemNamespace(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.client!.registerNamespace({
          namespace: SYSTEM_NAMESPACE,
          description: 'Temporal internal system namespace',
          ownerEmail: 'temporal-core@temporal.io',
          workflowExecutionRetentionPeriod: SYSTEM_NAMESPACE_RETENTION,
        });
        this.logger.info({ namespace: SYSTEM_NAMESPACE }, 'system namespace registered');
        return;
      } catch (err) {
        if (isRpcError(err) && err.code === Code.ALREADY_EXISTS) return;
        this.logger.warn({ err }, 'registering the system namespace failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_MS));
      }
    }
  }

  private async discoverNamespaces(): Promise<void> {
    let nextPageToken: Buffer = Buffer.alloc(0);
    const registered = new Set<string>();
    do {
      const page = await this.client!.listNamespaces({ pageSize: 100, nextPageToken });
      for (const ns of page.namespaces) {
        const name = ns.namespaceInfo?.name;
        if (!name || ns.namespaceInfo?.state !== NamespaceState.NAMESPACE_STATE_REGISTERED) continue;
        registered.add(name);
        if (this.stopped) return;
        if (!this.workers.has(name)) await this.startWorker(name);
      }
      nextPageToken = page.nextPageToken;
    } while (nextPageToken.length > 0);
    // A deleted (or deprecated) namespace's worker would only poll a namespace the frontend no longer serves.
    for (const [name, { worker }] of this.workers) {
      if (registered.has(name)) continue;
      this.workers.delete(name);
      if (worker.getState() === 'RUNNING') worker.shutdown();
    }
  }

  private async startWorker(namespace: string): Promise<void> {
    const client = this.client!;
    const [{ Worker }, { createSchedulerActivities, createBatcherActivities, createNamespaceDeletionActivities }] =
      await Promise.all([sdk(), systemActivities()]);
    const worker = await Worker.create({
      connection: this.connection!,
      namespace,
      taskQueue: PER_NAMESPACE_TASK_QUEUE,
      // Unique per process: with several worker-service processes, DescribeTaskQueue (pollers by identity) and the
      // scheduler's history (workflow task started by whom) would otherwise show them as one.
      identity: `tempora-worker-service@${namespace}@${hostname()}:${process.pid}`,
      ...workflowSource(),
      activities: {
        ...createSchedulerActivities(() => client),
        ...createBatcherActivities(() => client),
        ...createNamespaceDeletionActivities(() => ({
          namespaces: this.options.namespaces,
          visibility: this.options.visibility,
          history: this.options.history,
          deletesPerSecond: this.config.limits.namespaceDeletion.deletesPerSecond,
          logger: this.logger,
        })),
      },
      maxConcurrentWorkflowTaskPolls: 2,
      maxConcurrentActivityTaskPolls: 1,
      maxCachedWorkflows: 100,
      // A batch page's heartbeat is its resume point after a crash and the progress DescribeBatchOperation shows;
      // the SDK's default throttle (80% of the 10 s heartbeat timeout) would let both lag by up to 8 s.
      maxHeartbeatThrottleInterval: '1s',
      shutdownGraceTime: '2s',
    });
    const run = worker.run().catch((err: unknown) => {
      this.logger.error({ err, namespace }, 'system worker failed');
      this.workers.delete(namespace);
    });
    this.workers.set(namespace, { worker, run });
    this.logger.debug({ namespace }, 'per-namespace system worker started');
  }
}

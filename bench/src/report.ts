// Human-readable and JSON output of benchmark outcomes.
import type { WorkloadResult } from './workload.js';

export type TargetOutcome =
  | ({
      target: string;
      ok: true;
      /** Only when the bench started the server. */ peakRssMiB: number | undefined;
    } & WorkloadResult)
  | { target: string; ok: false; error: string };

type Measured = Extract<TargetOutcome, { ok: true }>;

/** Tempora divided by the official server: above 1 means more throughput, more latency or more memory. */
export interface Ratios {
  workflowsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  peakRss: number | undefined;
}

export function compareOutcomes(tempora: TargetOutcome, official: TargetOutcome): Ratios | undefined {
  if (!tempora.ok || !official.ok) return undefined;
  return {
    workflowsPerSecond: tempora.workflowsPerSecond / official.workflowsPerSecond,
    p50: tempora.latencyMs.p50 / official.latencyMs.p50,
    p95: tempora.latencyMs.p95 / official.latencyMs.p95,
    p99: tempora.latencyMs.p99 / official.latencyMs.p99,
    peakRss:
      tempora.peakRssMiB !== undefined && official.peakRssMiB ? tempora.peakRssMiB / official.peakRssMiB : undefined,
  };
}

const COLUMNS: [header: string, cell: (m: Measured) => string][] = [
  ['target', (m) => m.target],
  ['workflows', (m) => String(m.workflows)],
  ['wall s', (m) => m.wallSeconds.toFixed(2)],
  ['wf/s', (m) => m.workflowsPerSecond.toFixed(1)],
  ['p50 ms', (m) => m.latencyMs.p50.toFixed(1)],
  ['p95 ms', (m) => m.latencyMs.p95.toFixed(1)],
  ['p99 ms', (m) => m.latencyMs.p99.toFixed(1)],
  ['peak RSS MiB', (m) => (m.peakRssMiB === undefined ? '-' : m.peakRssMiB.toFixed(1))],
];

export function formatTable(outcomes: readonly TargetOutcome[]): string {
  const rows = [
    COLUMNS.map(([header]) => header),
    ...outcomes.filter((o): o is Measured => o.ok).map((m) => COLUMNS.map(([, cell]) => cell(m))),
  ];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  // Left-align the target name, right-align the numbers.
  return rows
    .map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '))
    .join('\n');
}

export function formatRatios(ratios: Ratios): string {
  const x = (ratio: number | undefined) => (ratio === undefined ? '-' : `${ratio.toFixed(2)}x`);
  return (
    `tempora/temporal: wf/s ${x(ratios.workflowsPerSecond)}, p50 ${x(ratios.p50)}, p95 ${x(ratios.p95)}, ` +
    `p99 ${x(ratios.p99)}, peak RSS ${x(ratios.peakRss)}`
  );
}

// Summary statistics over latency samples.

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
}

/** Nearest-rank percentile (q in 0..1) of an ascending-sorted, non-empty array. */
export function percentile(sorted: readonly number[], q: number): number {
  if (!sorted.length) throw new RangeError('percentile of an empty sample');
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarizeLatencies(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99) };
}

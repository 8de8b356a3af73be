// google.protobuf.Duration as ts-proto represents it: exact arithmetic in nanoseconds (bigint), upstream's cap, and
// millisecond conversions for timers (the engine schedules to the millisecond; what it stores and echoes is exact).
export interface DurationLike {
  seconds: number;
  nanos: number;
}

/** Upstream caps every duration at 100 years (timestamp.ValidateAndCapProtoDuration); a year of 365 days. */
export const MAX_DURATION_SECONDS = 100 * 365 * 24 * 3600;
const NANOS_PER_SECOND = 1_000_000_000n;
const MAX_DURATION_NANOS = BigInt(MAX_DURATION_SECONDS) * NANOS_PER_SECOND;

/** The duration, or 100 years when it is longer (so 1e15 s or int64 max seconds stay usable), as upstream. */
export function capDuration<D extends DurationLike | undefined>(d: D): D {
  if (!d || durationToNanosUncapped(d) <= MAX_DURATION_NANOS) return d;
  return { seconds: MAX_DURATION_SECONDS, nanos: 0 } as D;
}

function durationToNanosUncapped(d: DurationLike): bigint {
  return BigInt(Math.trunc(d.seconds)) * NANOS_PER_SECOND + BigInt(Math.trunc(d.nanos));
}

/** Exact nanoseconds of a (capped) duration; unset is 0. */
export function durationToNanos(d: DurationLike | undefined): bigint {
  if (!d) return 0n;
  const nanos = durationToNanosUncapped(d);
  return nanos > MAX_DURATION_NANOS ? MAX_DURATION_NANOS : nanos;
}

/** The normalized Duration of a nanosecond count (seconds and nanos with the same sign). */
export function nanosToDuration(nanos: bigint): DurationLike {
  return { seconds: Number(nanos / NANOS_PER_SECOND), nanos: Number(nanos % NANOS_PER_SECOND) };
}

export function isZeroDuration(d: DurationLike | undefined): boolean {
  return !d || (d.seconds === 0 && d.nanos === 0);
}

/** Whole milliseconds of a (capped) duration, rounded down: a 1 ns timer fires at once. */
export function durationToMs(d: DurationLike | undefined): number {
  return Number(durationToNanos(d) / 1_000_000n);
}

export function msToDuration(ms: number): DurationLike {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

/** A duration is valid when both parts are finite, non-negative and nanos is within a second. */
export function isValidDuration(d: DurationLike | undefined): boolean {
  if (!d) return true;
  return Number.isFinite(d.seconds) && Number.isFinite(d.nanos) && d.seconds >= 0 && d.nanos >= 0 && d.nanos < 1e9;
}

const GO_DURATION_UNIT_NANOS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 micro sign
  μs: 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};
const GO_DURATION_TERM = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/y;
const MAX_GO_DURATION_NANOS = 2 ** 63 - 1;

/**
 * Nanoseconds in a Go time.ParseDuration string ("1h30m", "-1.5s", "250ms", "0"), or undefined when Go would reject
 * it. Go's upstream uses this syntax for cron's "@every" and for ExecutionDuration search attribute values.
 */
export function parseGoDurationNanos(text: string): number | undefined {
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.startsWith('-') || text.startsWith('+') ? text.slice(1) : text;
  if (body === '0') return 0;
  if (body === '') return undefined;
  let total = 0;
  GO_DURATION_TERM.lastIndex = 0;
  while (GO_DURATION_TERM.lastIndex < body.length) {
    const term = GO_DURATION_TERM.exec(body);
    if (!term) return undefined;
    const [, whole = '', fraction = '', unit = ''] = term;
    if (whole === '' && fraction === '') return undefined; // "." or a bare unit
    total += Number(`${whole || '0'}.${fraction || '0'}`) * GO_DURATION_UNIT_NANOS[unit]!;
  }
  if (total > MAX_GO_DURATION_NANOS) return undefined;
  return sign * Math.round(total);
}

// google.protobuf.Duration as ts-proto represents it, and millisecond conversions.
export interface DurationLike {
  seconds: number;
  nanos: number;
}

export function durationToMs(d: DurationLike | undefined): number {
  if (!d) return 0;
  return d.seconds * 1000 + Math.floor(d.nanos / 1e6);
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

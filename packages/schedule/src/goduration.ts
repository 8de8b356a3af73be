// Go's time.ParseDuration (with upstream's timestamp.ParseDuration extension: "<n>d" days), for "@every" cron strings.
// Errors carry Go's messages; results are nanoseconds as a bigint (Go durations are int64 nanoseconds).

const UNIT_NANOS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5
  μs: 1_000n, // U+03BC
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MAX_NANOS = (1n << 63n) - 1n;
const DAYS = /(\d+(\.\d*)?|(\.\d+))d/g;

/** Thrown with Go's error text ("time: invalid duration \"x\""). */
export class GoDurationError extends Error {}

function quote(text: string): string {
  return JSON.stringify(text);
}

/** Upstream's timestamp.ParseDuration: "<n>d" becomes "<24n>h" (printf %f) before Go parses it. */
export function parseTemporalDuration(text: string): bigint {
  const replaced = text.replace(DAYS, (match) => `${(24 * Number.parseFloat(match.slice(0, -1))).toFixed(6)}h`);
  return parseGoDuration(replaced);
}

export function parseGoDuration(orig: string): bigint {
  const invalid = () => new GoDurationError(`time: invalid duration ${quote(orig)}`);
  let s = orig;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  let total = 0n;
  while (s !== '') {
    if (!/^[0-9.]/.test(s)) throw invalid();
    const whole = /^[0-9]*/.exec(s)![0];
    s = s.slice(whole.length);
    let fraction = '';
    let hasFraction = false;
    if (s.startsWith('.')) {
      s = s.slice(1);
      fraction = /^[0-9]*/.exec(s)![0];
      s = s.slice(fraction.length);
      hasFraction = fraction !== '';
    }
    if (whole === '' && !hasFraction) throw invalid();
    const unitLength = /^[^0-9.]*/.exec(s)![0].length;
    if (unitLength === 0) throw new GoDurationError(`time: missing unit in duration ${quote(orig)}`);
    const unitText = s.slice(0, unitLength);
    s = s.slice(unitLength);
    const unit = UNIT_NANOS[unitText];
    if (unit === undefined)
      throw new GoDurationError(`time: unknown unit ${quote(unitText)} in duration ${quote(orig)}`);
    const v = BigInt(whole === '' ? '0' : whole);
    if (v > MAX_NANOS / unit) throw invalid();
    let value = v * unit;
    if (hasFraction) {
      // Go keeps the fraction's leading digits as long as they fit, then scales; digits beyond 1e18 are dropped.
      let f = 0n;
      let scale = 1n;
      for (const digit of fraction) {
        if (f > (MAX_NANOS - 9n) / 10n) break;
        f = f * 10n + BigInt(digit);
        scale *= 10n;
      }
      value += (f * unit) / scale;
    }
    total += value;
    if (total > MAX_NANOS) throw invalid();
  }
  return negative ? -total : total;
}

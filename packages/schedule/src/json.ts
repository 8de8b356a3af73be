// proto3 JSON scalars: google.protobuf.Duration ("1.5s") and google.protobuf.Timestamp (RFC 3339), as milliseconds.
import { ScheduleSpecError } from './errors.js';

const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** A proto3 JSON duration as (seconds, nanos). */
export interface SecondsNanos {
  seconds: number;
  nanos: number;
}

export function parseDuration(text: string, field: string): SecondsNanos {
  const m = DURATION.exec(text);
  if (!m) throw new ScheduleSpecError(`invalid ${field} duration ${JSON.stringify(text)}`);
  const sign = m[1] ? -1 : 1;
  const nanos = Number((m[3] ?? '').padEnd(9, '0'));
  return { seconds: sign * Number(m[2]), nanos: sign * nanos };
}

/** Duration in whole milliseconds, truncated toward zero as Go's Duration.Milliseconds(). */
export function durationMs(d: SecondsNanos): number {
  return d.seconds * 1000 + Math.trunc(d.nanos / 1e6);
}

export function formatDuration(d: SecondsNanos): string {
  const negative = d.seconds < 0 || d.nanos < 0;
  const seconds = Math.abs(d.seconds);
  const nanos = Math.abs(d.nanos);
  return `${negative ? '-' : ''}${seconds}${fraction(nanos)}s`;
}

/** A timestamp as epoch ms plus the sub-millisecond nanos it carried (kept so the canonical form echoes it). */
export interface Instant {
  ms: number;
  /** nanoseconds within the second, 0..999999999 */
  nanos: number;
}

export function parseTimestamp(text: string, field: string): Instant {
  const m = TIMESTAMP.exec(text);
  if (!m) throw new ScheduleSpecError(`invalid ${field} timestamp ${JSON.stringify(text)}`);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const nanos = Number((m[7] ?? '').padEnd(9, '0'));
  let offsetMinutes = 0;
  if (!m[8] && m[9]) offsetMinutes = (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  const seconds = Date.UTC(year, month - 1, day, hour, minute, second) / 1000 - offsetMinutes * 60;
  if (!Number.isFinite(seconds)) throw new ScheduleSpecError(`invalid ${field} timestamp ${JSON.stringify(text)}`);
  return { ms: seconds * 1000 + Math.floor(nanos / 1e6), nanos };
}

export function formatTimestamp(instant: Instant): string {
  const seconds = Math.floor(instant.ms / 1000);
  const iso = new Date(seconds * 1000).toISOString(); // yyyy-mm-ddThh:mm:ss.000Z
  return `${iso.slice(0, 19)}${fraction(instant.nanos)}Z`;
}

/** Fraction digits as protojson writes them: none, 3, 6 or 9. */
function fraction(nanos: number): string {
  if (nanos === 0) return '';
  const digits = String(nanos).padStart(9, '0');
  if (digits.endsWith('000000')) return `.${digits.slice(0, 3)}`;
  if (digits.endsWith('000')) return `.${digits.slice(0, 6)}`;
  return `.${digits}`;
}

// The schedule spec engine: upstream's CompiledSpec (service/worker/scheduler/spec.go) over the proto3 JSON form.
import {
  CompiledCalendar,
  MAX_CALENDAR_YEAR,
  parseCronString,
  SpecParseError,
  calendarToStructured,
  structuredCalendarError,
} from './calendar.js';
import type { Interval, Range, Structured } from './calendar.js';
import { ScheduleSpecError } from './errors.js';
import { fingerprint32, utf8 } from './farm.js';
import { formatDuration, formatTimestamp, parseDuration, parseTimestamp } from './json.js';
import type { Instant, SecondsNanos } from './json.js';
import type {
  NextTime,
  RangeJson,
  ScheduleSpecJson,
  StructuredCalendarSpecJson,
  CalendarSpecJson,
  IntervalSpecJson,
} from './types.js';
import { Zone, resolveZoneName } from './zone.js';

/** Upstream's cap on ListScheduleMatchingTimes (maxListMatchingTimesCount). */
export const MAX_MATCHING_TIMES = 1000;

/**
 * Candidate times nextTime examines (each one excluded) before giving up as if none remained. Upstream searches on
 * until year 2100 (its hard limit is off by default; it warns past 86400); a bound keeps a spec such as "every second
 * except every second" from stalling a workflow task (250k candidates take about half a second). "Every second except
 * weekends" (172800 in a row) still resolves.
 */
export const MAX_EXCLUDED_CANDIDATES = 250_000;

/** The frontend's prefix for every spec error (upstream's canonicalizeScheduleSpec). */
const PREFIX = 'Invalid schedule spec: ';

/** Go's maximum time.Duration, to which AsDuration saturates. */
const MAX_DURATION_NANOS = (1n << 63n) - 1n;
/** durationpb's CheckValid bound: 10000 years of seconds. */
const MAX_DURATION_SECONDS = 315_576_000_000;
/** Seconds from 0001-01-01 (Go's internal epoch) to 1970-01-01. */
const UNIX_TO_INTERNAL = 62_135_596_800;

/** A validated, canonical spec; plain data (JSON and structured-clone safe), but opaque to callers. */
export interface CompiledSpec {
  /** Upstream's CanonicalForm() in proto3 JSON (ranges as compiled, before CleanSpec). */
  readonly canonical: ScheduleSpecJson;
  /** IANA zone the calendars are read in ("UTC" for none). */
  readonly zone: string;
  readonly calendars: readonly Structured[];
  readonly excludes: readonly Structured[];
  /** Whole seconds, as upstream truncates them. */
  readonly intervals: readonly { readonly interval: number; readonly phase: number }[];
  readonly startMs: number | undefined;
  readonly endMs: number | undefined;
  /** Jitter in nanoseconds as a decimal string (bigint is not JSON-safe). */
  readonly jitterNanos: string;
}

function fail(message: string): never {
  throw new ScheduleSpecError(PREFIX + message);
}

/** Validates and canonicalizes (cron strings and string calendars become structured calendars/intervals, time zone resolved). Throws ScheduleSpecError. */
export function compileSpec(spec: ScheduleSpecJson): CompiledSpec {
  if (typeof spec !== 'object' || spec === null) fail('spec is not an object');
  const inputIntervals = list(spec.interval, 'interval').map(readInterval);
  // The frontend's validateScheduleIntervalDurations, before anything else.
  for (const iv of inputIntervals) {
    for (const [name, d] of [
      ['interval', iv.interval],
      ['phase', iv.phase],
    ] as const) {
      if (d && !durationValid(d)) {
        fail(`${name} is not a valid duration: proto: duration (seconds:${d.seconds} nanos:${d.nanos}) is invalid`);
      }
    }
  }

  const structured = list(spec.structuredCalendar, 'structured_calendar').map(readStructured);
  const excludes = list(spec.excludeStructuredCalendar, 'exclude_structured_calendar').map(readStructured);
  try {
    for (const cal of list(spec.calendar, 'calendar')) structured.push(calendarToStructured(readCalendar(cal)));
    for (const cal of list(spec.excludeCalendar, 'exclude_calendar')) {
      excludes.push(calendarToStructured(readCalendar(cal)));
    }
  } catch (err) {
    if (err instanceof SpecParseError) fail(err.message);
    throw err;
  }

  const intervals: Interval[] = inputIntervals.map((iv) => ({
    intervalNanos: durationNanos(iv.interval),
    phaseNanos: durationNanos(iv.phase),
  }));
  const intervalJson: IntervalSpecJson[] = inputIntervals.map((iv) => {
    const out: IntervalSpecJson = {};
    if (iv.interval) out.interval = formatDuration(iv.interval);
    if (iv.phase) out.phase = formatDuration(iv.phase);
    return out;
  });

  let cronZone: string | undefined;
  for (const cron of list(spec.cronString, 'cron_string')) {
    if (typeof cron !== 'string') fail('cron_string is not a string');
    let parsed;
    try {
      parsed = parseCronString(cron);
    } catch (err) {
      if (err instanceof SpecParseError) fail(err.message);
      throw err;
    }
    // All cron strings must agree on the time zone, whether they name one or not.
    if (cronZone !== undefined && parsed.timezone !== cronZone) fail('conflicting timezone names');
    cronZone = parsed.timezone;
    if (parsed.structured) structured.push(parsed.structured);
    if (parsed.interval) {
      intervals.push(parsed.interval);
      const out: IntervalSpecJson = { interval: formatDuration(nanosToDuration(parsed.interval.intervalNanos)) };
      if (parsed.interval.phaseNanos !== 0n) out.phase = formatDuration(nanosToDuration(parsed.interval.phaseNanos));
      intervalJson.push(out);
    }
  }

  let timezoneName = str(spec.timezoneName, 'timezone_name');
  const timezoneData = str(spec.timezoneData, 'timezone_data');
  if (cronZone !== undefined && cronZone !== '') {
    if ((timezoneName !== '' && timezoneName !== cronZone) || timezoneData !== '') fail('conflicting timezone names');
    timezoneName = cronZone;
  }

  for (const cal of structured) {
    const error = structuredCalendarError(cal);
    if (error) fail(error);
  }
  for (const iv of intervals) {
    if (iv.intervalNanos < 1_000_000_000n) fail('interval is too small');
    if (iv.phaseNanos < 0n) fail('phase is negative');
    if (iv.phaseNanos >= iv.intervalNanos) fail('phase cannot be greater than Interval');
  }
  // Excludes aren't validated upstream; a negative step there would never finish (upstream panics or spins).
  for (const cal of excludes) {
    for (const field of RANGE_FIELDS) {
      if (cal[field].some((r) => r.step < 0)) fail(`invalid calendar spec: ${FIELD_NAMES[field]} has invalid Step`);
    }
  }

  if (timezoneData !== '') {
    fail('timezone_data is not supported by this server; use timezone_name (an IANA zone name)');
  }
  const resolved = resolveZoneName(timezoneName);
  if ('error' in resolved) fail(resolved.error);

  const start = spec.startTime === undefined ? undefined : timestamp(spec.startTime, 'start_time');
  const end = spec.endTime === undefined ? undefined : timestamp(spec.endTime, 'end_time');
  const jitter = spec.jitter === undefined ? undefined : duration(spec.jitter, 'jitter');

  const canonical: ScheduleSpecJson = {};
  if (structured.length > 0) canonical.structuredCalendar = structured.map(structuredToJson);
  if (intervalJson.length > 0) canonical.interval = intervalJson;
  if (excludes.length > 0) canonical.excludeStructuredCalendar = excludes.map(structuredToJson);
  if (start) canonical.startTime = formatTimestamp(start);
  if (end) canonical.endTime = formatTimestamp(end);
  if (jitter) canonical.jitter = formatDuration(jitter);
  if (timezoneName !== '') canonical.timezoneName = timezoneName;

  return {
    canonical,
    zone: resolved.zone,
    calendars: structured,
    excludes,
    intervals: intervals.map((iv) => ({
      interval: Math.max(Number(iv.intervalNanos / 1_000_000_000n), 1),
      phase: Math.max(Number(iv.phaseNanos / 1_000_000_000n), 0),
    })),
    startMs: start?.ms,
    endMs: end?.ms,
    jitterNanos: String(jitter ? durationNanos(jitter) : 0n),
  };
}

/**
 * The spec DescribeSchedule returns: the canonical form with upstream's CleanSpec applied (every range with an
 * explicit end and step), in proto3 JSON.
 */
export function canonicalSpec(compiled: CompiledSpec): ScheduleSpecJson {
  const clean = (cals: StructuredCalendarSpecJson[] | undefined) =>
    cals?.map((cal) => {
      const out: StructuredCalendarSpecJson = {};
      for (const field of RANGE_FIELDS) {
        const ranges = cal[field];
        if (ranges) {
          out[field] = ranges.map((r) => {
            const start = r.start ?? 0;
            return rangeJson({ start, end: Math.max(r.end ?? 0, start), step: r.step || 1 });
          });
        }
      }
      if (cal.comment) out.comment = cal.comment;
      return out;
    });
  const out: ScheduleSpecJson = { ...compiled.canonical };
  if (out.structuredCalendar) out.structuredCalendar = clean(out.structuredCalendar);
  if (out.excludeStructuredCalendar) out.excludeStructuredCalendar = clean(out.excludeStructuredCalendar);
  if (out.interval) out.interval = out.interval.map((iv) => ({ ...iv }));
  return out;
}

/** Compiled calendars and zones per spec, built on first use (the spec itself stays plain data). */
const runtimes = new WeakMap<CompiledSpec, Runtime>();
const zones = new Map<string, Zone>();

interface Runtime {
  calendars: CompiledCalendar[];
  excludes: CompiledCalendar[];
  jitterNanos: bigint;
}

function runtime(compiled: CompiledSpec): Runtime {
  let rt = runtimes.get(compiled);
  if (!rt) {
    let zone = zones.get(compiled.zone);
    if (!zone) {
      zone = new Zone(compiled.zone);
      if (zones.size > 100) zones.clear();
      zones.set(compiled.zone, zone);
    }
    const z = zone;
    rt = {
      calendars: compiled.calendars.map((cal) => new CompiledCalendar(cal, z)),
      excludes: compiled.excludes.map((cal) => new CompiledCalendar(cal, z)),
      jitterNanos: BigInt(compiled.jitterNanos),
    };
    runtimes.set(compiled, rt);
  }
  return rt;
}

/** The next time (epoch seconds) any calendar or interval matches strictly after `afterMs`, before excludes. */
function rawNext(compiled: CompiledSpec, rt: Runtime, afterMs: number): number | undefined {
  const after = Math.floor(afterMs / 1000);
  let best: number | undefined;
  for (const cal of rt.calendars) {
    const next = cal.next(after);
    if (next !== undefined && (best === undefined || next < best)) best = next;
  }
  for (const { interval, phase } of compiled.intervals) {
    // Go's integer division truncates toward zero.
    const next = (Math.trunc((after - phase) / interval) + 1) * interval + phase;
    if (best === undefined || next < best) best = next;
  }
  return best;
}

/**
 * The first action time strictly after `afterMs` (upstream's GetNextTime): nominal matches the spec (a calendar or
 * interval, not excluded, not after end_time; a time before start_time counts from just before it); actual is
 * nominal plus its jitter. Undefined when none remains.
 */
export function nextTime(compiled: CompiledSpec, afterMs: number, jitterSeed = ''): NextTime | undefined {
  const rt = runtime(compiled);
  // Upstream reads a missing start_time as the epoch.
  let after = Math.max(afterMs, (compiled.startMs ?? 0) - 1000);
  let nominal: number | undefined;
  for (let candidates = 0; ; candidates++) {
    if (candidates >= MAX_EXCLUDED_CANDIDATES) return undefined;
    nominal = rawNext(compiled, rt, after);
    if (nominal === undefined) return undefined;
    const nominalMs = nominal * 1000;
    if (compiled.endMs !== undefined && nominalMs > compiled.endMs) return undefined;
    if (new Date(nominalMs).getUTCFullYear() > MAX_CALENDAR_YEAR) return undefined;
    if (!rt.excludes.some((cal) => cal.matches(nominal!))) break;
    after = nominalMs;
  }
  // Jitter never pushes an action past the following nominal time (excludes aside).
  let maxJitter = rt.jitterNanos;
  const following = rawNext(compiled, rt, nominal * 1000);
  if (following !== undefined) {
    const gap = BigInt(following - nominal) * 1_000_000_000n;
    if (gap < maxJitter) maxJitter = gap;
  }
  return { nominalMs: nominal * 1000, actualMs: nominal * 1000 + jitterMs(jitterSeed, nominal, maxJitter) };
}

/**
 * Upstream's addJitter: FarmHash Fingerprint32 of Go's time.MarshalBinary of the nominal time (UTC) followed by the
 * seed, scaled into [0, maxJitter) milliseconds.
 */
function jitterMs(seed: string, nominal: number, maxJitterNanos: bigint): number {
  let ms = maxJitterNanos < 0n ? 0n : maxJitterNanos / 1_000_000n;
  if (ms > 0xffffffffn) ms = 0xffffffffn;
  if (ms === 0n) return 0;
  const sec = BigInt(nominal + UNIX_TO_INTERNAL);
  const bytes = [1]; // timeBinaryVersionV1
  for (let shift = 56n; shift >= 0n; shift -= 8n) bytes.push(Number((sec >> shift) & 0xffn));
  bytes.push(0, 0, 0, 0); // nanoseconds
  bytes.push(0xff, 0xff); // zone offset -1: UTC
  bytes.push(...utf8(seed));
  const fp = BigInt(fingerprint32(Uint8Array.from(bytes)));
  return Number((fp * ms) >> 32n);
}

/**
 * Action times (actual) as upstream's ListScheduleMatchingTimes lists them: each one the next time after the
 * previous actual time, starting after `startMs`, while not after `endMs` (so start is exclusive and end inclusive),
 * at most `limit`.
 */
export function matchingTimes(
  compiled: CompiledSpec,
  startMs: number,
  endMs: number,
  jitterSeed = '',
  limit = MAX_MATCHING_TIMES,
): number[] {
  const out: number[] = [];
  let after = startMs;
  while (out.length < limit) {
    const next = nextTime(compiled, after, jitterSeed);
    if (next === undefined || next.actualMs > endMs) break;
    out.push(next.actualMs);
    after = next.actualMs;
  }
  return out;
}

// --- reading the JSON form ---

const RANGE_FIELDS = ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'year', 'dayOfWeek'] as const;
const FIELD_NAMES: Record<(typeof RANGE_FIELDS)[number], string> = {
  second: 'Second',
  minute: 'Minute',
  hour: 'Hour',
  dayOfMonth: 'DayOfMonth',
  month: 'Month',
  year: 'Year',
  dayOfWeek: 'DayOfWeek',
};
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function list<T>(value: T[] | undefined, field: string): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(`${field} is not a list`);
  return value;
}

function str(value: string | undefined, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') fail(`${field} is not a string`);
  return value;
}

function int32(value: number | undefined, field: string): number {
  if (value === undefined || value === null) return 0;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX) {
    fail(`${field} is not an int32`);
  }
  return n;
}

function readStructured(cal: StructuredCalendarSpecJson): Structured {
  if (typeof cal !== 'object' || cal === null) fail('calendar is not an object');
  const ranges = (field: (typeof RANGE_FIELDS)[number]): Range[] =>
    list(cal[field], field).map((r: RangeJson) => ({
      start: int32(r?.start, `${field}.start`),
      end: int32(r?.end, `${field}.end`),
      step: int32(r?.step, `${field}.step`),
    }));
  return {
    second: ranges('second'),
    minute: ranges('minute'),
    hour: ranges('hour'),
    dayOfMonth: ranges('dayOfMonth'),
    month: ranges('month'),
    year: ranges('year'),
    dayOfWeek: ranges('dayOfWeek'),
    comment: str(cal.comment, 'comment'),
  };
}

function readCalendar(cal: CalendarSpecJson): CalendarSpecJson {
  if (typeof cal !== 'object' || cal === null) fail('calendar is not an object');
  const out: CalendarSpecJson = {};
  for (const field of [...RANGE_FIELDS, 'comment'] as const) out[field] = str(cal[field], field);
  return out;
}

function readInterval(iv: IntervalSpecJson): { interval?: SecondsNanos; phase?: SecondsNanos } {
  if (typeof iv !== 'object' || iv === null) fail('interval is not an object');
  return {
    interval: iv.interval === undefined ? undefined : duration(iv.interval, 'interval'),
    phase: iv.phase === undefined ? undefined : duration(iv.phase, 'phase'),
  };
}

function duration(text: string, field: string): SecondsNanos {
  try {
    return parseDuration(str(text, field), field);
  } catch (err) {
    if (err instanceof ScheduleSpecError) fail(err.message);
    throw err;
  }
}

function timestamp(text: string, field: string): Instant {
  try {
    return parseTimestamp(str(text, field), field);
  } catch (err) {
    if (err instanceof ScheduleSpecError) fail(err.message);
    throw err;
  }
}

function durationValid(d: SecondsNanos): boolean {
  return (
    Math.abs(d.seconds) <= MAX_DURATION_SECONDS &&
    Math.abs(d.nanos) < 1e9 &&
    !(d.seconds < 0 && d.nanos > 0) &&
    !(d.seconds > 0 && d.nanos < 0)
  );
}

/** Go's durationpb AsDuration (saturating) of a possibly missing duration (0). */
function durationNanos(d: SecondsNanos | undefined): bigint {
  if (!d) return 0n;
  const n = BigInt(d.seconds) * 1_000_000_000n + BigInt(d.nanos);
  if (n > MAX_DURATION_NANOS) return MAX_DURATION_NANOS;
  if (n < -MAX_DURATION_NANOS - 1n) return -MAX_DURATION_NANOS - 1n;
  return n;
}

function nanosToDuration(nanos: bigint): SecondsNanos {
  return { seconds: Number(nanos / 1_000_000_000n), nanos: Number(nanos % 1_000_000_000n) };
}

function rangeJson(r: Range): RangeJson {
  const out: RangeJson = {};
  if (r.start !== 0) out.start = r.start;
  if (r.end !== 0) out.end = r.end;
  if (r.step !== 0) out.step = r.step;
  return out;
}

function structuredToJson(cal: Structured): StructuredCalendarSpecJson {
  const out: StructuredCalendarSpecJson = {};
  for (const field of RANGE_FIELDS) if (cal[field].length > 0) out[field] = cal[field].map(rangeJson);
  if (cal.comment !== '') out.comment = cal.comment;
  return out;
}

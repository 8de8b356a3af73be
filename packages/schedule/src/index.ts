// STUB (branch sched) of the @tempora/schedule API until branch `spec` delivers the engine: intervals (with phase),
// 5-field cron strings (with CRON_TZ= and @every), start/end time; no calendars, exclusions or jitter. Replaced
// wholesale by the spec branch's package at merge.

export class ScheduleSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleSpecError';
  }
}

export const MAX_MATCHING_TIMES = 1000;

export interface IntervalSpecJson {
  interval?: string;
  phase?: string;
}

export interface ScheduleSpecJson {
  structuredCalendar?: unknown[];
  cronString?: string[];
  calendar?: unknown[];
  interval?: IntervalSpecJson[];
  excludeCalendar?: unknown[];
  excludeStructuredCalendar?: unknown[];
  startTime?: string;
  endTime?: string;
  jitter?: string;
  timezoneName?: string;
  timezoneData?: string;
}

export interface NextTime {
  nominalMs: number;
  actualMs: number;
}

interface Cron {
  zone: string;
  fields: number[][];
}

export interface CompiledSpec {
  readonly canonical: ScheduleSpecJson;
  readonly intervals: { everyMs: number; phaseMs: number }[];
  readonly crons: Cron[];
  readonly startMs?: number;
  readonly endMs?: number;
}

function durationMs(text: string): number {
  const m = /^(-?\d+(?:\.\d+)?)s$/.exec(text);
  if (!m) throw new ScheduleSpecError(`invalid duration ${text}`);
  return Math.round(Number(m[1]) * 1000);
}

const RANGES: [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
];

function parseField(text: string, [min, max]: [number, number]): number[] {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step <= 0) throw new ScheduleSpecError('invalid cron step');
    let lo = min;
    let hi = max;
    if (range !== '*') {
      const [a, b] = range!.split('-');
      lo = Number(a);
      hi = b === undefined ? (stepText === undefined ? lo : max) : Number(b);
    }
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < min || hi > max || hi < lo) {
      throw new ScheduleSpecError(`${text} is not in range [${min}-${max}]`);
    }
    for (let v = lo; v <= hi; v += step) out.add(v === 7 && max === 6 ? 0 : v);
  }
  return [...out];
}

function compileCron(text: string, defaultZone: string, intervals: CompiledSpec['intervals']): Cron | undefined {
  let rest = text.trim();
  let zone = defaultZone;
  const tz = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(rest);
  if (tz) {
    zone = tz[1]!;
    rest = tz[2]!;
    checkZone(zone);
  }
  if (rest.startsWith('@every')) {
    const every = rest.slice(6).trim();
    if (!every) throw new ScheduleSpecError('CronString does not have interval after @every');
    intervals.push({ everyMs: goDurationMs(every), phaseMs: 0 });
    return undefined;
  }
  const fields = rest.split(/\s+/);
  if (fields.length !== 5) throw new ScheduleSpecError('CronString does not have 5-7 fields');
  return { zone, fields: fields.map((f, i) => parseField(f, RANGES[i]!)) };
}

function goDurationMs(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * units[m[2]!]!;
    consumed += m[0].length;
  }
  if (consumed !== text.length || total <= 0) throw new ScheduleSpecError(`invalid duration ${text}`);
  return total;
}

function checkZone(zone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new ScheduleSpecError(`unknown time zone ${zone}`);
  }
}

export function compileSpec(spec: ScheduleSpecJson): CompiledSpec {
  const zone = spec.timezoneName || 'UTC';
  checkZone(zone);
  const intervals: CompiledSpec['intervals'] = [];
  for (const i of spec.interval ?? []) {
    const everyMs = durationMs(i.interval ?? '0s');
    const phaseMs = i.phase ? durationMs(i.phase) : 0;
    if (everyMs < 1000) throw new ScheduleSpecError('interval is too small');
    if (phaseMs < 0) throw new ScheduleSpecError('phase is negative');
    if (phaseMs > everyMs) throw new ScheduleSpecError('phase cannot be greater than Interval');
    intervals.push({ everyMs, phaseMs });
  }
  const crons: Cron[] = [];
  for (const c of spec.cronString ?? []) {
    const cron = compileCron(c, zone, intervals);
    if (cron) crons.push(cron);
  }
  const startMs = spec.startTime ? Date.parse(spec.startTime) : undefined;
  const endMs = spec.endTime ? Date.parse(spec.endTime) : undefined;
  const canonical: ScheduleSpecJson = { ...spec };
  delete canonical.cronString;
  return { canonical, intervals, crons, startMs, endMs };
}

export function canonicalSpec(compiled: CompiledSpec): ScheduleSpecJson {
  return compiled.canonical;
}

function zonedParts(ms: number, zone: string): number[] {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    minute: 'numeric',
    hour: 'numeric',
    day: 'numeric',
    month: 'numeric',
    weekday: 'short',
  }).formatToParts(ms);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  return [Number(get('minute')), Number(get('hour')), Number(get('day')), Number(get('month')), weekday];
}

function cronNext(cron: Cron, afterMs: number): number | undefined {
  let t = Math.floor(afterMs / 60_000) * 60_000 + 60_000;
  for (let i = 0; i < 366 * 24 * 60; i++, t += 60_000) {
    const parts = zonedParts(t, cron.zone);
    if (parts.every((v, k) => cron.fields[k]!.includes(v))) return t;
  }
  return undefined;
}

export function nextTime(compiled: CompiledSpec, afterMs: number, jitterSeed = ''): NextTime | undefined {
  void jitterSeed;
  let after = afterMs;
  if (compiled.startMs !== undefined && after < compiled.startMs - 1) after = compiled.startMs - 1;
  let best: number | undefined;
  for (const { everyMs, phaseMs } of compiled.intervals) {
    const n = Math.floor((after - phaseMs) / everyMs) + 1;
    const t = n * everyMs + phaseMs;
    if (best === undefined || t < best) best = t;
  }
  for (const cron of compiled.crons) {
    const t = cronNext(cron, after);
    if (t !== undefined && (best === undefined || t < best)) best = t;
  }
  if (best === undefined || (compiled.endMs !== undefined && best > compiled.endMs)) return undefined;
  return { nominalMs: best, actualMs: best };
}

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

// Calendar specs: the string form (CalendarSpec) and cron strings compiled to StructuredCalendarSpec as upstream
// compiles them (service/worker/scheduler/calendar.go), and the matcher that finds a calendar's next time in a zone.
import { GoDurationError, parseTemporalDuration } from './goduration.js';
import type { CalendarSpecJson } from './types.js';
import type { Zone } from './zone.js';

/** A Range as the proto holds it: end 0 (or below start) means start only, step 0 means 1. */
export interface Range {
  start: number;
  end: number;
  step: number;
}

export interface Structured {
  second: Range[];
  minute: Range[];
  hour: Range[];
  dayOfMonth: Range[];
  month: Range[];
  year: Range[];
  dayOfWeek: Range[];
  comment: string;
}

/** An IntervalSpec in nanoseconds (bigint: Go durations are int64 nanoseconds). */
export interface Interval {
  intervalNanos: bigint;
  phaseNanos: bigint;
}

export const MIN_CALENDAR_YEAR = 2000;
export const MAX_CALENDAR_YEAR = 2100;
export const MAX_COMMENT_LEN = 200;

/** Error text upstream produces while parsing (before the frontend's "Invalid schedule spec: " prefix). */
export class SpecParseError extends Error {}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const DAYS_OF_WEEK = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

type Mode = 'int' | 'year' | 'month' | 'dow';

/** Go's strconv.Atoi, with its error text. */
function atoi(text: string): number {
  if (!/^[+-]?\d+$/.test(text))
    throw new SpecParseError(`strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || Math.abs(value) > 2 ** 63) {
    throw new SpecParseError(`strconv.Atoi: parsing ${JSON.stringify(text)}: value out of range`);
  }
  return value;
}

/** A single value: a decimal integer, or a month / weekday name prefix (3 / 2 letters at least); undefined if bad. */
function parseValue(text: string, min: number, max: number, mode: Mode): number | undefined {
  let value: number | undefined;
  const lower = text.toLowerCase();
  if (mode === 'month' && text.length >= 3) {
    const i = MONTHS.findIndex((name) => name.startsWith(lower));
    if (i >= 0) value = i + 1;
  } else if (mode === 'dow' && text.length >= 2) {
    const i = DAYS_OF_WEEK.findIndex((name) => name.startsWith(lower));
    if (i >= 0) value = i;
  }
  if (value === undefined) {
    if (!/^[+-]?\d+$/.test(text)) return undefined;
    value = Number(text);
  }
  return value < min || value > max ? undefined : value;
}

/** One field of a CalendarSpec string ("*", "1-5", "mon-fri", "*\/15", "3,5,7", "2/3") as ranges. */
function makeRange(text: string, field: string, def: string, min: number, max: number, mode: Mode): Range[] {
  let s = text.trim();
  if (s === '') s = def;
  if (s === '*' && mode === 'year') return []; // all years: no ranges
  const ranges: Range[] = [];
  for (let part of s.split(',')) {
    let step = 1;
    let hasStep = false;
    const slashes = part.split('/').length - 1;
    if (slashes > 1) throw new SpecParseError(`${field} has too many slashes`);
    if (slashes === 1) {
      const [before = '', after = ''] = part.split('/');
      if (after === '') throw new SpecParseError(`${field} missing step value`);
      part = before;
      step = atoi(after);
      if (step < 1) throw new SpecParseError(`${field} has invalid Step`);
      hasStep = true;
    }
    let start = min;
    let end = max;
    if (part !== '*') {
      if (part.includes('-')) {
        const pieces = part.split('-');
        if (pieces.length !== 2) throw new SpecParseError(`${field} has too many dashes`);
        const first = parseValue(pieces[0]!, min, max, mode);
        if (first === undefined) throw new SpecParseError(`${field} Start is not in range [${min}-${max}]`);
        start = first;
        const last = parseValue(pieces[1]!, start, max, mode);
        if (last === undefined) {
          throw new SpecParseError(`${field} End is before Start or not in range [${min}-${max}]`);
        }
        end = last;
      } else {
        const only = parseValue(part, min, max, mode);
        if (only === undefined) throw new SpecParseError(`${field} is not in range [${min}-${max}]`);
        start = only;
        if (!hasStep) end = start; // "x/y" runs to max; "x" is x alone
      }
    }
    // Sunday may be written 7: keep the ranges within 0-6, adding a 0 where 7 was matched.
    if (mode === 'dow' && end === 7) {
      if ((7 - start) % step === 0 && (step > 1 || start > 1)) {
        ranges.push({ start: 0, end: 0, step: 0 });
        if (start === 7) continue;
      }
      end = 6;
    }
    ranges.push({ start, end: start === end ? 0 : end, step: step === 1 ? 0 : step });
  }
  return ranges;
}

/** Upstream's parseCalendarToStructured: every field's first error, joined. */
export function calendarToStructured(cal: CalendarSpecJson): Structured {
  const errors: string[] = [];
  const field = (text: string | undefined, name: string, def: string, min: number, max: number, mode: Mode) => {
    try {
      return makeRange(text ?? '', name, def, min, max, mode);
    } catch (err) {
      if (!(err instanceof SpecParseError)) throw err;
      errors.push(err.message);
      return [];
    }
  };
  const structured: Structured = {
    second: field(cal.second, 'Second', '0', 0, 59, 'int'),
    minute: field(cal.minute, 'Minute', '0', 0, 59, 'int'),
    hour: field(cal.hour, 'Hour', '0', 0, 23, 'int'),
    dayOfWeek: field(cal.dayOfWeek, 'DayOfWeek', '*', 0, 7, 'dow'),
    dayOfMonth: field(cal.dayOfMonth, 'DayOfMonth', '*', 1, 31, 'int'),
    month: field(cal.month, 'Month', '*', 1, 12, 'month'),
    year: field(cal.year, 'Year', '*', MIN_CALENDAR_YEAR, MAX_CALENDAR_YEAR, 'year'),
    comment: cal.comment ?? '',
  };
  if (errors.length > 0) throw new SpecParseError(errors.join(', '));
  return structured;
}

const PREDEFINED: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export interface ParsedCron {
  structured?: Structured;
  interval?: Interval;
  /** From a CRON_TZ= / TZ= prefix; "" when none (an @every string never carries one). */
  timezone: string;
}

/**
 * Upstream's parseCronString: optional "CRON_TZ=zone " / "TZ=zone ", optional "# comment", then "@every d[/phase]",
 * an @ descriptor, or 5 (minute..day of week), 6 (+ year) or 7 (second first, + year) fields.
 */
export function parseCronString(text: string): ParsedCron {
  let c = text.trim();
  let timezone = '';
  if (c.startsWith('TZ=') || c.startsWith('CRON_TZ=')) {
    const space = c.indexOf(' ');
    if (space < 0) throw new SpecParseError('CronString has time zone but missing fields');
    timezone = c.slice(c.indexOf('=') + 1, space);
    c = c.slice(space + 1);
  }
  let comment = '';
  const hash = c.indexOf('#');
  if (hash >= 0) {
    comment = c.slice(hash + 1).trim();
    c = c.slice(0, hash);
  }
  c = c.trim();
  if (c.startsWith('@every')) return { interval: parseEvery(c), timezone: '' };
  c = PREDEFINED[c] ?? c;
  const fields = c.split(/\s+/).filter((f) => f !== '');
  const cal: CalendarSpecJson = { comment };
  if (fields.length === 5) {
    [cal.minute, cal.hour, cal.dayOfMonth, cal.month, cal.dayOfWeek] = fields;
  } else if (fields.length === 6) {
    [cal.minute, cal.hour, cal.dayOfMonth, cal.month, cal.dayOfWeek, cal.year] = fields;
  } else if (fields.length === 7) {
    [cal.second, cal.minute, cal.hour, cal.dayOfMonth, cal.month, cal.dayOfWeek, cal.year] = fields;
  } else {
    throw new SpecParseError('CronString does not have 5-7 fields');
  }
  return { structured: calendarToStructured(cal), timezone };
}

function parseEvery(c: string): Interval {
  const space = c.indexOf(' ');
  if (space < 0) throw new SpecParseError('CronString does not have interval after @every');
  const rest = c.slice(space + 1);
  const slash = rest.indexOf('/');
  const [intervalText, phaseText] = slash < 0 ? [rest, ''] : [rest.slice(0, slash), rest.slice(slash + 1)];
  try {
    return {
      intervalNanos: parseTemporalDuration(intervalText),
      phaseNanos: phaseText === '' ? 0n : parseTemporalDuration(phaseText),
    };
  } catch (err) {
    if (err instanceof GoDurationError) throw new SpecParseError(err.message);
    throw err;
  }
}

/** Upstream's validateStructuredCalendar: the messages of every bad range, or undefined when valid. */
export function structuredCalendarError(cal: Structured): string | undefined {
  const errors: string[] = [];
  const check = (ranges: Range[], field: string, min: number, max: number) => {
    for (const r of ranges) {
      if (r.start < min || r.start > max) errors.push(`${field} Start is not in range [${min}-${max}]`);
      if (r.end !== 0 && (r.end < r.start || r.end > max)) {
        errors.push(`${field} End is before Start or not in range [${min}-${max}]`);
      }
      if (r.step < 0) errors.push(`${field} has invalid Step`);
    }
  };
  check(cal.second, 'Second', 0, 59);
  check(cal.minute, 'Minute', 0, 59);
  check(cal.hour, 'Hour', 0, 23);
  check(cal.dayOfMonth, 'DayOfMonth', 1, 31);
  check(cal.month, 'Month', 1, 12);
  check(cal.year, 'Year', MIN_CALENDAR_YEAR, MAX_CALENDAR_YEAR);
  check(cal.dayOfWeek, 'DayOfWeek', 0, 6);
  if (utf8Length(cal.comment) > MAX_COMMENT_LEN) errors.push('comment is too long');
  return errors.length > 0 ? `invalid calendar spec: ${errors.join(', ')}` : undefined;
}

function utf8Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/** Values a field's ranges match, clipped to [lo, hi] (what can ever be compared against). */
function values(ranges: Range[], lo: number, hi: number): boolean[] {
  const out: boolean[] = [];
  for (const r of ranges) {
    const step = r.step <= 0 ? 1 : r.step;
    const end = Math.min(r.end < r.start ? r.start : r.end, hi);
    let v = r.start;
    if (v < lo) v += Math.ceil((lo - v) / step) * step;
    for (; v <= end; v += step) out[v] = true;
  }
  return out;
}

function daysInMonth(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return 30 + ((0b1010110101010 >> month) & 1);
}

/** A StructuredCalendarSpec compiled in a zone: an empty field matches nothing, except year (all years). */
export class CompiledCalendar {
  private readonly years: boolean[] | undefined;
  private readonly months: boolean[];
  private readonly days: boolean[];
  private readonly weekdays: boolean[];
  private readonly hours: boolean[];
  private readonly minutes: boolean[];
  private readonly seconds: boolean[];

  constructor(
    cal: Structured,
    private readonly zone: Zone,
  ) {
    this.years = cal.year.length === 0 ? undefined : values(cal.year, 1900, MAX_CALENDAR_YEAR + 1);
    this.months = values(cal.month, 0, 63);
    this.days = values(cal.dayOfMonth, 0, 63);
    this.weekdays = values(cal.dayOfWeek, 0, 63);
    this.hours = values(cal.hour, 0, 63);
    this.minutes = values(cal.minute, 0, 63);
    this.seconds = values(cal.second, 0, 63);
  }

  private year(y: number): boolean {
    return this.years === undefined || this.years[y] === true;
  }

  /** Whether the instant (epoch seconds) matches, read in the zone. */
  matches(unix: number): boolean {
    const t = this.zone.local(unix);
    return (
      this.year(t.year) &&
      this.months[t.month] === true &&
      this.days[t.day] === true &&
      this.weekdays[t.weekday] === true &&
      this.hours[t.hour] === true &&
      this.minutes[t.minute] === true &&
      this.seconds[t.second] === true
    );
  }

  /**
   * The first matching instant (epoch seconds) strictly after `unix`, or undefined (none up to 2100). Walks the wall
   * clock field by field; wall times skipped by a DST change don't match, and a wall time repeated by one matches
   * in both copies (upstream's compiledCalendar.next).
   */
  next(unix: number): number | undefined {
    const zone = this.zone;
    let { year: y, month: mo, day: d, hour: h, minute: m, second: s } = zone.local(unix);
    // In the second copy of a repeated hour, wall times map to the first copy; add the hour back.
    let dst = zone.local(unix - 3600).hour === h ? 3600 : 0;
    s++;
    for (;;) {
      if (s >= 60) [m, s] = [m + 1, 0];
      if (m >= 60) {
        const prev = zone.date(y, mo, d, h, 0, 0);
        [h, m] = [h + 1, 0];
        const following = zone.date(y, mo, d, h, 0, 0);
        if (dst === 0 && following - prev > 3600) {
          // Leaving an hour that is repeated: walk it again as its second copy.
          h--;
          dst = 3600;
        } else {
          dst = 0;
        }
      }
      if (h >= 24) [d, h] = [d + 1, 0];
      if (d > daysInMonth(mo, y)) [mo, d] = [mo + 1, 1];
      if (mo > 12) [y, mo] = [y + 1, 1];
      if (y > MAX_CALENDAR_YEAR) return undefined;
      if (!this.year(y)) {
        [y, mo, d, h, m, s, dst] = [y + 1, 1, 1, 0, 0, 0, 0];
        continue;
      }
      let carried = false;
      while (this.months[mo] !== true) {
        [mo, d, h, m, s, dst] = [mo + 1, 1, 0, 0, 0, 0];
        if (mo > 12) {
          carried = true;
          break;
        }
      }
      if (carried) continue;
      while (this.days[d] !== true || this.weekdays[zone.local(zone.date(y, mo, d, h, m, s)).weekday] !== true) {
        [d, h, m, s, dst] = [d + 1, 0, 0, 0, 0];
        if (d > daysInMonth(mo, y)) {
          carried = true;
          break;
        }
      }
      if (carried) continue;
      while (this.hours[h] !== true) {
        [h, m, s, dst] = [h + 1, 0, 0, 0];
        if (h >= 24) {
          carried = true;
          break;
        }
      }
      if (carried) continue;
      while (this.minutes[m] !== true) {
        [m, s] = [m + 1, 0];
        if (m >= 60) {
          carried = true;
          break;
        }
      }
      if (carried) continue;
      while (this.seconds[s] !== true) {
        s++;
        if (s >= 60) {
          carried = true;
          break;
        }
      }
      if (carried) continue;
      const found = zone.date(y, mo, d, h, m, s);
      // A wall time skipped by a DST change resolves to another hour: it doesn't exist, move on.
      if (zone.local(found).hour !== h) {
        [h, m, s] = [h + 1, 0, 0];
        continue;
      }
      return found + dst;
    }
  }
}

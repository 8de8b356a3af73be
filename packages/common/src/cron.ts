// Cron workflow schedules as upstream reads them (robfig/cron's ParseStandard): five fields, optionally after a
// CRON_TZ=<zone> or TZ=<zone> prefix, or one of the @ descriptors, or "@every <Go duration>". The syntax is checked
// here because cron-parser accepts more than robfig (seconds, L, W, #, H, day of week 7) and reads some items
// differently ("*-5", "5/15"); fire times are then computed by cron-parser in the schedule's zone.
import { createRequire } from 'node:module';
import type * as CronParser from 'cron-parser';
import { parseGoDurationNanos } from './duration.js';

/** Upstream's InvalidArgument messages for a schedule that does not parse, and for one that never fires. */
export const INVALID_CRON_SCHEDULE = 'invalid CronSchedule.';
export const UNSATISFIABLE_CRON_SCHEDULE = 'invalid CronSchedule, no time can be found to satisfy the schedule';

/** cron-parser (and luxon under it) is loaded by the first cron fire time, not at every process start. */
let loaded: typeof CronParser | undefined;
const cronParser = () => (loaded ??= createRequire(import.meta.url)('cron-parser') as typeof CronParser);

export class InvalidCronScheduleError extends Error {}

export interface CronSchedule {
  /** The first fire time strictly after `after`; fire times are whole seconds. */
  next(after: Date): Date;
}

interface FieldBounds {
  min: number;
  max: number;
  names?: readonly string[];
}

const MINUTE: FieldBounds = { min: 0, max: 59 };
const HOUR: FieldBounds = { min: 0, max: 23 };
const DAY_OF_MONTH: FieldBounds = { min: 1, max: 31 };
const MONTH: FieldBounds = {
  min: 1,
  max: 12,
  names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
};
const DAY_OF_WEEK: FieldBounds = { min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] };
const FIELD_BOUNDS = [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK] as const;

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const EVERY = '@every ';
/** Days in each month at most (February in a leap year); robfig looks five years ahead, so a 29th is reachable. */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const SECOND_MS = 1000;
/** A spring-forward gap holds at most an hour of minutes; far more means cron-parser and this module disagree. */
const MAX_GAP_SKIPS = 1000;

interface Field {
  values: Set<number>;
  /** robfig's star bit: the field was written "*" or "?" (without a step above 1). */
  star: boolean;
}

/** Parses a schedule; throws InvalidCronScheduleError with upstream's InvalidArgument message. */
export function parseCronSchedule(schedule: string): CronSchedule {
  let spec = schedule;
  let zone = 'UTC';
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const space = spec.indexOf(' ');
    if (space < 0) throw invalid();
    zone = timeZone(spec.slice(spec.indexOf('=') + 1, space));
    spec = spec.slice(space).trim();
  }
  if (spec.startsWith(EVERY)) return everySchedule(spec.slice(EVERY.length));
  if (spec.startsWith('@')) {
    const fields = DESCRIPTORS[spec];
    if (!fields) throw invalid();
    spec = fields;
  }
  const texts = spec.split(/\s+/).filter((text) => text !== '');
  if (texts.length !== FIELD_BOUNDS.length) throw invalid();
  const fields = texts.map((text, i) => parseField(text, FIELD_BOUNDS[i]!));
  if (!canFire(fields)) throw new InvalidCronScheduleError(UNSATISFIABLE_CRON_SCHEDULE);
  return new SpecSchedule(fields, zone);
}

/** Upstream's InvalidArgument message for this schedule, or undefined when it is valid. */
export function cronScheduleError(schedule: string): string | undefined {
  try {
    parseCronSchedule(schedule);
    return undefined;
  } catch (err) {
    if (err instanceof InvalidCronScheduleError) return err.message;
    throw err;
  }
}

export function isValidCronSchedule(schedule: string): boolean {
  return cronScheduleError(schedule) === undefined;
}

/**
 * Delay before the next run of a cron workflow whose current run was scheduled for `scheduledTime`, as upstream's
 * GetBackoffForNextScheduleNonNegative: the first fire time after the scheduled time that is not before `now`,
 * rounded up to whole seconds; 0 for a schedule that does not parse. A new cron workflow passes now for both.
 */
export function cronBackoffMs(schedule: string, scheduledTime: Date, now: Date): number {
  let parsed: CronSchedule;
  try {
    parsed = parseCronSchedule(schedule);
  } catch {
    return 0;
  }
  const next = now < scheduledTime ? scheduledTime : firstFireNotBefore(parsed, scheduledTime, now);
  return Math.max(0, Math.ceil((next.getTime() - now.getTime()) / SECOND_MS) * SECOND_MS);
}

function firstFireNotBefore(schedule: CronSchedule, scheduledTime: Date, now: Date): Date {
  if (schedule instanceof EverySchedule) return schedule.firstNotBefore(scheduledTime, now);
  // Spec fire times don't depend on where the walk starts, so skip straight to now rather than step through
  // every fire time since the scheduled one.
  const after = now.getTime() > scheduledTime.getTime() ? new Date(now.getTime() - 1) : scheduledTime;
  return schedule.next(after);
}

/** robfig's ConstantDelaySchedule: whole seconds (at least one) after the second the walk starts from. */
class EverySchedule implements CronSchedule {
  constructor(private readonly intervalMs: number) {}

  next(after: Date): Date {
    return new Date(Math.floor(after.getTime() / SECOND_MS) * SECOND_MS + this.intervalMs);
  }

  /** The fire time the chain Next(scheduled), Next(Next(scheduled)), ... first reaches at or after now. */
  firstNotBefore(scheduledTime: Date, now: Date): Date {
    const first = this.next(scheduledTime).getTime();
    const behind = now.getTime() - first;
    return new Date(behind <= 0 ? first : first + Math.ceil(behind / this.intervalMs) * this.intervalMs);
  }
}

function everySchedule(text: string): EverySchedule {
  const nanos = parseGoDurationNanos(text);
  if (nanos === undefined) throw invalid();
  // robfig truncates to whole seconds and raises anything shorter (even zero or negative) to one second.
  return new EverySchedule(Math.max(SECOND_MS, Math.floor(nanos / 1e9) * SECOND_MS));
}

class SpecSchedule implements CronSchedule {
  private readonly expression: string;

  constructor(
    private readonly fields: Field[],
    private readonly zone: string,
  ) {
    // Explicit value lists keep robfig's reading of each item; "*" is kept where it decides how day of month and
    // day of week combine (either one a star: both must match; neither: either may).
    this.expression = ['0', ...fields.map((field) => (field.star ? '*' : [...field.values].join(',')))].join(' ');
  }

  next(after: Date): Date {
    const dates = cronParser().CronExpressionParser.parse(this.expression, { currentDate: after, tz: this.zone });
    for (let attempt = 0; attempt < MAX_GAP_SKIPS; attempt++) {
      const date = dates.next();
      // In a spring-forward gap cron-parser fires at the shifted wall-clock time; robfig skips times that don't exist.
      if (
        this.matchesWallClock(date.getMinutes(), date.getHours(), date.getDate(), date.getMonth() + 1, date.getDay())
      ) {
        return date.toDate();
      }
    }
    throw new Error(
      `cron schedule ${this.expression} (${this.zone}) found no wall-clock match after ${after.toISOString()}`,
    );
  }

  private matchesWallClock(minute: number, hour: number, day: number, month: number, weekday: number): boolean {
    const [minutes, hours, daysOfMonth, months, daysOfWeek] = this.fields as [Field, Field, Field, Field, Field];
    const dayOfMonthMatches = daysOfMonth.values.has(day);
    const dayOfWeekMatches = daysOfWeek.values.has(weekday);
    const dayMatches =
      daysOfMonth.star || daysOfWeek.star
        ? dayOfMonthMatches && dayOfWeekMatches
        : dayOfMonthMatches || dayOfWeekMatches;
    return minutes.values.has(minute) && hours.values.has(hour) && months.values.has(month) && dayMatches;
  }
}

/** A comma-separated list of ranges, each `*`, `?`, `n` or `n-m`, optionally `/step` (`n/step` runs to the max). */
function parseField(text: string, bounds: FieldBounds): Field {
  const values = new Set<number>();
  let star = false;
  for (const item of text.split(',').filter((part) => part !== '')) {
    const [range = '', step, ...extraSteps] = item.split('/');
    if (extraSteps.length > 0) throw invalid();
    const [low = '', high, ...extraHighs] = range.split('-');
    let start: number;
    let end: number;
    let itemStar = false;
    if (low === '*' || low === '?') {
      // robfig reads whatever follows "*-" as nothing at all.
      [start, end, itemStar] = [bounds.min, bounds.max, true];
    } else {
      if (extraHighs.length > 0) throw invalid();
      start = fieldNumber(low, bounds);
      end = high === undefined ? (step === undefined ? start : bounds.max) : fieldNumber(high, bounds);
    }
    const stepSize = step === undefined ? 1 : number(step);
    if (stepSize > 1) itemStar = false;
    if (start < bounds.min || end > bounds.max || start > end || stepSize === 0) throw invalid();
    for (let value = start; value <= end; value += stepSize) values.add(value);
    star ||= itemStar;
  }
  return { values, star };
}

function fieldNumber(text: string, bounds: FieldBounds): number {
  const named = bounds.names?.indexOf(text.toLowerCase()) ?? -1;
  return named >= 0 ? bounds.min + named : number(text);
}

/** Go's strconv.Atoi for what a cron field can hold: digits, optionally after a plus sign. */
function number(text: string): number {
  if (!/^\+?\d+$/.test(text)) throw invalid();
  return Number(text);
}

/** Whether some day within robfig's five-year search matches; only day of month against month can fail. */
function canFire([minutes, hours, daysOfMonth, months, daysOfWeek]: Field[]): boolean {
  if ([minutes, hours, daysOfMonth, months, daysOfWeek].some((field) => field!.values.size === 0)) return false;
  if (daysOfMonth!.star || !daysOfWeek!.star) return true;
  const firstDay = Math.min(...daysOfMonth!.values);
  return [...months!.values].some((month) => firstDay <= MONTH_DAYS[month - 1]!);
}

/** An IANA zone as Go's time.LoadLocation reads it: "" and "Local" are UTC here (upstream runs in UTC). */
function timeZone(name: string): string {
  if (name === '' || name === 'Local') return 'UTC';
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    throw invalid();
  }
  // Intl ignores case; zone files don't, so "america/new_york" is unknown upstream.
  if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) throw invalid();
  return name;
}

function invalid(): InvalidCronScheduleError {
  return new InvalidCronScheduleError(INVALID_CRON_SCHEDULE);
}

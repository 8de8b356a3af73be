// Time zones through Intl (ICU's tz database): UTC offsets at an instant, and Go's time.Date / Time.In semantics that
// upstream's calendar matching is written against. No Node APIs, so this runs in the workflow sandbox.

/** Local calendar fields of an instant: month 1-12, weekday 0 = Sunday. */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const HOUR = 3600;
const CACHE_LIMIT = 4096;

export class Zone {
  private readonly format: Intl.DateTimeFormat | undefined;
  /** Offset (seconds east of UTC) per UTC hour; NaN when the offset changes within that hour. */
  private readonly hourOffsets = new Map<number, number>();

  constructor(readonly name: string) {
    this.format =
      name === 'UTC'
        ? undefined
        : new Intl.DateTimeFormat('en-US', {
            timeZone: name,
            hourCycle: 'h23',
            era: 'short',
            year: 'numeric',
            month: 'numeric',
            day: 'numeric',
            hour: 'numeric',
            minute: 'numeric',
            second: 'numeric',
          });
  }

  /** Seconds east of UTC at the instant `unix` (epoch seconds). */
  offset(unix: number): number {
    if (!this.format) return 0;
    const bucket = Math.floor(unix / HOUR);
    let cached = this.hourOffsets.get(bucket);
    if (cached === undefined) {
      const first = this.rawOffset(bucket * HOUR);
      const last = this.rawOffset(bucket * HOUR + HOUR - 1);
      cached = first === last ? first : Number.NaN;
      if (this.hourOffsets.size >= CACHE_LIMIT) this.hourOffsets.clear();
      this.hourOffsets.set(bucket, cached);
    }
    return Number.isNaN(cached) ? this.rawOffset(unix) : cached;
  }

  private rawOffset(unix: number): number {
    const fields: Record<string, string> = {};
    for (const part of this.format!.formatToParts(new Date(unix * 1000))) fields[part.type] = part.value;
    let year = Number(fields.year);
    if (fields.era === 'BC' || fields.era === 'B') year = 1 - year;
    const wall =
      Date.UTC(
        year,
        Number(fields.month) - 1,
        Number(fields.day),
        Number(fields.hour),
        Number(fields.minute),
        Number(fields.second),
      ) / 1000;
    // Date.UTC maps years 0-99 to 1900-1999; not reachable for the years schedules use (>= 1969).
    return wall - unix;
  }

  /** Go's t.In(zone) then Date()/Clock()/Weekday(). */
  local(unix: number): LocalTime {
    return civil(unix + this.offset(unix));
  }

  /**
   * Go's time.Date(y, mo, d, h, m, s, 0, zone) as epoch seconds: fields may overflow (normalized); a wall time in a
   * gap or an overlap resolves as Go does (offset looked up at the wall time read as UTC, corrected once).
   */
  date(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
    const wall = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
    const first = this.offset(wall);
    const utc = wall - first;
    const second_ = this.offset(utc);
    return second_ === first ? utc : wall - second_;
  }
}

/** Calendar fields of epoch seconds read as UTC. */
export function civil(seconds: number): LocalTime {
  const d = new Date(seconds * 1000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  };
}

/**
 * Go's time.LoadLocation for a name, or an error message as upstream words it. "" and "UTC" are UTC; "Local" is the
 * server's zone, UTC for upstream's containers and here. Intl ignores case where zone files don't, so a name whose
 * path components don't start with a capital is unknown (as "america/new_york" is upstream).
 */
export function resolveZoneName(name: string): { zone: string } | { error: string } {
  if (name === '' || name === 'UTC' || name === 'Local') return { zone: 'UTC' };
  if (name.includes('..') || name.startsWith('/') || name.startsWith('\\'))
    return { error: 'time: invalid location name' };
  const unknown = { error: `unknown time zone ${name}` };
  if (!name.split('/').every((part) => /^[A-Z]/.test(part))) return unknown;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
  } catch {
    return unknown;
  }
  return { zone: name };
}

// The proto3 JSON form of temporal.api.schedule.v1.ScheduleSpec and its parts: camelCase fields, every field optional
// (absent = the proto default), durations as "5s" / "0.5s", timestamps as RFC 3339 strings, bytes as base64.

/** temporal.api.schedule.v1.Range: start..end (inclusive) every step; end < start means start only, step 0 means 1. */
export interface RangeJson {
  start?: number;
  end?: number;
  step?: number;
}

/** temporal.api.schedule.v1.StructuredCalendarSpec; an empty field takes upstream's default (see README). */
export interface StructuredCalendarSpecJson {
  second?: RangeJson[];
  minute?: RangeJson[];
  hour?: RangeJson[];
  dayOfMonth?: RangeJson[];
  month?: RangeJson[];
  year?: RangeJson[];
  dayOfWeek?: RangeJson[];
  comment?: string;
}

/** temporal.api.schedule.v1.CalendarSpec: the string form ("*", "1-5", "mon-fri", "*\/15", "3,5,7"). */
export interface CalendarSpecJson {
  second?: string;
  minute?: string;
  hour?: string;
  dayOfMonth?: string;
  month?: string;
  year?: string;
  dayOfWeek?: string;
  comment?: string;
}

/** temporal.api.schedule.v1.IntervalSpec: every `interval`, offset by `phase`, counted from the Unix epoch. */
export interface IntervalSpecJson {
  interval?: string;
  phase?: string;
}

/** temporal.api.schedule.v1.ScheduleSpec in proto3 JSON. */
export interface ScheduleSpecJson {
  structuredCalendar?: StructuredCalendarSpecJson[];
  cronString?: string[];
  calendar?: CalendarSpecJson[];
  interval?: IntervalSpecJson[];
  excludeCalendar?: CalendarSpecJson[];
  excludeStructuredCalendar?: StructuredCalendarSpecJson[];
  startTime?: string;
  endTime?: string;
  jitter?: string;
  timezoneName?: string;
  /** A TZif file, base64; not supported (compileSpec rejects it). */
  timezoneData?: string;
}

/** The first action time strictly after a given time. */
export interface NextTime {
  /** The time matching the spec, epoch ms (whole seconds). */
  nominalMs: number;
  /** The nominal time plus its jitter, epoch ms (whole milliseconds). */
  actualMs: number;
}

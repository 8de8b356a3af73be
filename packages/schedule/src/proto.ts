// Conversions between the ts-proto message (@tempora/proto/schedule) and the proto3 JSON form this package reads.
// A separate entry point (@tempora/schedule/proto): it uses Buffer, so it is for the frontend, not the workflow sandbox.
import type { Duration } from '@tempora/proto/google';
import type { CalendarSpec, IntervalSpec, Range, ScheduleSpec, StructuredCalendarSpec } from '@tempora/proto/schedule';
import { formatDuration, formatTimestamp, parseDuration, parseTimestamp } from './json.js';
import type {
  CalendarSpecJson,
  IntervalSpecJson,
  RangeJson,
  ScheduleSpecJson,
  StructuredCalendarSpecJson,
} from './types.js';

/** ScheduleSpec -> proto3 JSON; default-valued fields are left out, as protojson does. */
export function scheduleSpecToJson(spec: ScheduleSpec): ScheduleSpecJson {
  const out: ScheduleSpecJson = {};
  if (spec.structuredCalendar.length > 0) out.structuredCalendar = spec.structuredCalendar.map(structuredToJson);
  if (spec.cronString.length > 0) out.cronString = [...spec.cronString];
  if (spec.calendar.length > 0) out.calendar = spec.calendar.map(calendarToJson);
  if (spec.interval.length > 0) out.interval = spec.interval.map(intervalToJson);
  if (spec.excludeCalendar.length > 0) out.excludeCalendar = spec.excludeCalendar.map(calendarToJson);
  if (spec.excludeStructuredCalendar.length > 0) {
    out.excludeStructuredCalendar = spec.excludeStructuredCalendar.map(structuredToJson);
  }
  if (spec.startTime) out.startTime = dateToJson(spec.startTime);
  if (spec.endTime) out.endTime = dateToJson(spec.endTime);
  if (spec.jitter) out.jitter = formatDuration(spec.jitter);
  if (spec.timezoneName !== '') out.timezoneName = spec.timezoneName;
  if (spec.timezoneData.length > 0) out.timezoneData = Buffer.from(spec.timezoneData).toString('base64');
  return out;
}

/** proto3 JSON -> ScheduleSpec (e.g. canonicalSpec's result for DescribeSchedule). */
export function scheduleSpecFromJson(json: ScheduleSpecJson): ScheduleSpec {
  return {
    structuredCalendar: (json.structuredCalendar ?? []).map(structuredFromJson),
    cronString: [...(json.cronString ?? [])],
    calendar: (json.calendar ?? []).map(calendarFromJson),
    interval: (json.interval ?? []).map(intervalFromJson),
    excludeCalendar: (json.excludeCalendar ?? []).map(calendarFromJson),
    excludeStructuredCalendar: (json.excludeStructuredCalendar ?? []).map(structuredFromJson),
    startTime: json.startTime === undefined ? undefined : dateFromJson(json.startTime, 'start_time'),
    endTime: json.endTime === undefined ? undefined : dateFromJson(json.endTime, 'end_time'),
    jitter: json.jitter === undefined ? undefined : durationFromJson(json.jitter, 'jitter'),
    timezoneName: json.timezoneName ?? '',
    timezoneData: json.timezoneData === undefined ? Buffer.alloc(0) : Buffer.from(json.timezoneData, 'base64'),
  };
}

function dateToJson(date: Date): string {
  const ms = date.getTime();
  return formatTimestamp({ ms, nanos: (((ms % 1000) + 1000) % 1000) * 1e6 });
}

function dateFromJson(text: string, field: string): Date {
  return new Date(parseTimestamp(text, field).ms);
}

function durationFromJson(text: string, field: string): Duration {
  return parseDuration(text, field);
}

function rangeToJson(range: Range): RangeJson {
  const out: RangeJson = {};
  if (range.start !== 0) out.start = range.start;
  if (range.end !== 0) out.end = range.end;
  if (range.step !== 0) out.step = range.step;
  return out;
}

function rangeFromJson(range: RangeJson): Range {
  return { start: range.start ?? 0, end: range.end ?? 0, step: range.step ?? 0 };
}

const STRUCTURED_FIELDS = ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'year', 'dayOfWeek'] as const;

function structuredToJson(cal: StructuredCalendarSpec): StructuredCalendarSpecJson {
  const out: StructuredCalendarSpecJson = {};
  for (const field of STRUCTURED_FIELDS) if (cal[field].length > 0) out[field] = cal[field].map(rangeToJson);
  if (cal.comment !== '') out.comment = cal.comment;
  return out;
}

function structuredFromJson(cal: StructuredCalendarSpecJson): StructuredCalendarSpec {
  return {
    second: (cal.second ?? []).map(rangeFromJson),
    minute: (cal.minute ?? []).map(rangeFromJson),
    hour: (cal.hour ?? []).map(rangeFromJson),
    dayOfMonth: (cal.dayOfMonth ?? []).map(rangeFromJson),
    month: (cal.month ?? []).map(rangeFromJson),
    year: (cal.year ?? []).map(rangeFromJson),
    dayOfWeek: (cal.dayOfWeek ?? []).map(rangeFromJson),
    comment: cal.comment ?? '',
  };
}

const CALENDAR_FIELDS = [...STRUCTURED_FIELDS, 'comment'] as const;

function calendarToJson(cal: CalendarSpec): CalendarSpecJson {
  const out: CalendarSpecJson = {};
  for (const field of CALENDAR_FIELDS) if (cal[field] !== '') out[field] = cal[field];
  return out;
}

function calendarFromJson(cal: CalendarSpecJson): CalendarSpec {
  return {
    second: cal.second ?? '',
    minute: cal.minute ?? '',
    hour: cal.hour ?? '',
    dayOfMonth: cal.dayOfMonth ?? '',
    month: cal.month ?? '',
    year: cal.year ?? '',
    dayOfWeek: cal.dayOfWeek ?? '',
    comment: cal.comment ?? '',
  };
}

function intervalToJson(iv: IntervalSpec): IntervalSpecJson {
  const out: IntervalSpecJson = {};
  if (iv.interval) out.interval = formatDuration(iv.interval);
  if (iv.phase) out.phase = formatDuration(iv.phase);
  return out;
}

function intervalFromJson(iv: IntervalSpecJson): IntervalSpec {
  return {
    interval: iv.interval === undefined ? undefined : durationFromJson(iv.interval, 'interval'),
    phase: iv.phase === undefined ? undefined : durationFromJson(iv.phase, 'phase'),
  };
}

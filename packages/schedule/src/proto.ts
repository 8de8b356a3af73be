// STUB (branch sched) until branch `spec` delivers @tempora/schedule: ts-proto ScheduleSpec <-> proto3 JSON
// (the fields the stub engine knows).
import type { ScheduleSpec } from '@tempora/proto/schedule';
import type { ScheduleSpecJson } from './index.js';

type Duration = { seconds: number; nanos: number };
const dur = (d: Duration | undefined) => (d ? `${d.seconds + d.nanos / 1e9}s` : undefined);
const toDur = (s: string | undefined): Duration | undefined => {
  if (!s) return undefined;
  const v = Number(s.replace(/s$/, ''));
  const seconds = Math.trunc(v);
  return { seconds, nanos: Math.round((v - seconds) * 1e9) };
};

export function scheduleSpecToJson(spec: ScheduleSpec): ScheduleSpecJson {
  const json: ScheduleSpecJson = {};
  if (spec.interval.length)
    json.interval = spec.interval.map((i) => ({ interval: dur(i.interval), phase: dur(i.phase) }));
  if (spec.cronString.length) json.cronString = [...spec.cronString];
  if (spec.startTime) json.startTime = spec.startTime.toISOString();
  if (spec.endTime) json.endTime = spec.endTime.toISOString();
  if (spec.jitter) json.jitter = dur(spec.jitter);
  if (spec.timezoneName) json.timezoneName = spec.timezoneName;
  return json;
}

export function scheduleSpecFromJson(json: ScheduleSpecJson): ScheduleSpec {
  return {
    structuredCalendar: [],
    cronString: json.cronString ?? [],
    calendar: [],
    interval: (json.interval ?? []).map((i) => ({ interval: toDur(i.interval), phase: toDur(i.phase) })),
    excludeCalendar: [],
    excludeStructuredCalendar: [],
    startTime: json.startTime ? new Date(json.startTime) : undefined,
    endTime: json.endTime ? new Date(json.endTime) : undefined,
    jitter: toDur(json.jitter),
    timezoneName: json.timezoneName ?? '',
    timezoneData: Buffer.alloc(0),
  };
}

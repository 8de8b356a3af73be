import { ScheduleSpecError } from './errors.js';
import type { NextTime, ScheduleSpecJson } from './types.js';

/** Upstream's cap on ListScheduleMatchingTimes (maxListMatchingTimesCount). */
export const MAX_MATCHING_TIMES = 1000;

/** A validated, canonical spec ready to compute times from; plain data (structured-clone safe), opaque to callers. */
export interface CompiledSpec {
  readonly canonical: ScheduleSpecJson;
}

/** Validates and canonicalizes (cron strings and string calendars become structured calendars/intervals, time zone resolved). Throws ScheduleSpecError. */
export function compileSpec(spec: ScheduleSpecJson): CompiledSpec {
  void spec;
  throw new ScheduleSpecError('not yet');
}

/** The canonical spec upstream's DescribeSchedule returns, in proto3 JSON. */
export function canonicalSpec(compiled: CompiledSpec): ScheduleSpecJson {
  return compiled.canonical;
}

/** The first action time strictly after `afterMs`; undefined when none remains (past end_time). */
export function nextTime(compiled: CompiledSpec, afterMs: number, jitterSeed = ''): NextTime | undefined {
  void compiled;
  void afterMs;
  void jitterSeed;
  throw new Error('not yet');
}

/** Action times (actual) after `startMs` up to and including `endMs`, at most `limit`, as upstream's ListScheduleMatchingTimes. */
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

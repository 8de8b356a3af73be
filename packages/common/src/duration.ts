// google.protobuf.Duration as ts-proto represents it, and millisecond conversions.
export interface DurationLike {
  seconds: number;
  nanos: number;
}

export function durationToMs(d: DurationLike | undefined): number {
  if (!d) return 0;
  return d.seconds * 1000 + Math.floor(d.nanos / 1e6);
}

export function msToDuration(ms: number): DurationLike {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

/** A duration is valid when both parts are finite, non-negative and nanos is within a second. */
export function isValidDuration(d: DurationLike | undefined): boolean {
  if (!d) return true;
  return Number.isFinite(d.seconds) && Number.isFinite(d.nanos) && d.seconds >= 0 && d.nanos >= 0 && d.nanos < 1e9;
}

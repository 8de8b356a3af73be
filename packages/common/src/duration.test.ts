import { describe, expect, it } from '@jest/globals';
import {
  MAX_DURATION_SECONDS,
  capDuration,
  durationToMs,
  durationToNanos,
  isZeroDuration,
  nanosToDuration,
  parseGoDurationNanos,
} from './duration.js';

describe('protobuf Durations', () => {
  it('converts exactly to and from nanoseconds', () => {
    expect(durationToNanos({ seconds: 10, nanos: 5 })).toBe(10_000_000_005n);
    expect(durationToNanos(undefined)).toBe(0n);
    expect(nanosToDuration(100n)).toEqual({ seconds: 0, nanos: 100 });
    expect(nanosToDuration(3_000_000_007n)).toEqual({ seconds: 3, nanos: 7 });
    expect(isZeroDuration({ seconds: 0, nanos: 1 })).toBe(false);
    expect(isZeroDuration({ seconds: 0, nanos: 0 })).toBe(true);
  });

  it('caps at 100 years as upstream, so 1e15 s and the largest decodable seconds stay usable', () => {
    const hundredYears = { seconds: MAX_DURATION_SECONDS, nanos: 0 };
    expect(capDuration({ seconds: 1e15, nanos: 0 })).toEqual(hundredYears);
    expect(capDuration({ seconds: Number.MAX_SAFE_INTEGER, nanos: 999_999_999 })).toEqual(hundredYears);
    const given = { seconds: 60, nanos: 1 };
    expect(capDuration(given)).toBe(given);
    expect(durationToMs({ seconds: 1e15, nanos: 0 })).toBe(MAX_DURATION_SECONDS * 1000);
    expect(durationToMs({ seconds: 0, nanos: 1 })).toBe(0);
    expect(durationToMs({ seconds: 1, nanos: 999_999 })).toBe(1000);
  });
});

describe('parseGoDurationNanos (Go time.ParseDuration)', () => {
  it.each([
    ['0', 0],
    ['-0', 0],
    ['+0', 0],
    ['1ns', 1],
    ['1us', 1e3],
    ['1µs', 1e3],
    ['1μs', 1e3],
    ['300ms', 300e6],
    ['90s', 90e9],
    ['1h30m', 5400e9],
    ['2h45m0.5s', 9900.5e9],
    ['1.5h', 5400e9],
    ['-1.5h', -5400e9],
    ['+2s', 2e9],
    ['.5s', 0.5e9],
    ['5.s', 5e9],
    ['1m1m', 120e9],
  ])('reads %p', (text, nanos) => {
    expect(parseGoDurationNanos(text)).toBe(nanos);
  });

  it.each([
    '',
    '-',
    '1',
    '.s',
    's',
    '.',
    '1m5',
    '1d',
    '1hh',
    '1 s',
    ' 1s',
    '- 1s',
    '1e3s',
    '1,5s',
    '0s0',
    '9999999999h',
  ])('rejects %p', (text) => {
    expect(parseGoDurationNanos(text)).toBeUndefined();
  });
});

import { describe, expect, it } from '@jest/globals';
import { parseGoDurationNanos } from './duration.js';

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

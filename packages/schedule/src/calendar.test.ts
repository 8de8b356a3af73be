// Cases from upstream's calendar_test.go (service/worker/scheduler).
import { describe, expect, it } from '@jest/globals';
import { CompiledCalendar, calendarToStructured, parseCronString } from './calendar.js';
import type { Range, Structured } from './calendar.js';
import type { CalendarSpecJson } from './types.js';
import { Zone, civil } from './zone.js';

const UTC = new Zone('UTC');
const PACIFIC = new Zone('US/Pacific');
const sec = (text: string) => Date.parse(text) / 1000;

/** A wall time in a zone as epoch seconds (Go's time.Date). */
function wall(zone: Zone, y: number, mo: number, d: number, h = 0, m = 0, s = 0): number {
  return zone.date(y, mo, d, h, m, s);
}

function compile(cal: CalendarSpecJson, zone: Zone): CompiledCalendar {
  return new CompiledCalendar(calendarToStructured(cal), zone);
}

const r = (start: number, end = 0, step = 0): Range => ({ start, end, step });

describe('CompiledCalendar.matches', () => {
  it('defaults to midnight every day, read in its zone', () => {
    const cc = compile({}, UTC);
    expect(cc.matches(sec('2022-03-17T00:00:00Z'))).toBe(true);
    expect(cc.matches(sec('2022-03-18T00:00:00Z'))).toBe(true);
    expect(cc.matches(sec('2022-03-18T05:15:00Z'))).toBe(false);
    expect(cc.matches(wall(PACIFIC, 2022, 3, 17))).toBe(false);
    expect(cc.matches(wall(PACIFIC, 2022, 3, 17, 17))).toBe(true);
  });

  it('matches lists and steps', () => {
    const cc = compile({ minute: '5,9', hour: '*/2' }, UTC);
    expect(cc.matches(sec('2022-03-17T14:05:00Z'))).toBe(true);
    expect(cc.matches(sec('2022-03-17T14:05:33Z'))).toBe(false);
    expect(cc.matches(sec('2022-03-17T14:15:00Z'))).toBe(false);
    expect(cc.matches(wall(PACIFIC, 2022, 3, 18, 3, 9))).toBe(true);
    expect(cc.matches(sec('2022-03-18T03:09:00Z'))).toBe(false);
  });

  it('matches weekday and day-of-month steps together, across a DST change', () => {
    const cc = compile({ second: '55', minute: '55', hour: '5', dayOfWeek: 'wed-thurs', dayOfMonth: '2/2' }, PACIFIC);
    expect(cc.matches(wall(PACIFIC, 2022, 3, 9, 5, 55, 55))).toBe(false);
    expect(cc.matches(wall(PACIFIC, 2022, 3, 10, 5, 55, 55))).toBe(true);
    expect(cc.matches(wall(PACIFIC, 2022, 3, 14, 5, 55, 55))).toBe(false);
    expect(cc.matches(wall(PACIFIC, 2022, 3, 16, 5, 55, 55))).toBe(true);
    expect(cc.matches(wall(PACIFIC, 2022, 2, 9, 5, 55, 55))).toBe(false);
    expect(cc.matches(wall(PACIFIC, 2022, 2, 10, 5, 55, 55))).toBe(true);
    expect(cc.matches(wall(PACIFIC, 2022, 2, 10, 1, 55, 55))).toBe(false);
    expect(cc.matches(sec('2022-03-10T13:55:55Z'))).toBe(true);
    expect(cc.matches(sec('2022-03-16T13:55:55Z'))).toBe(false);
    expect(cc.matches(sec('2022-03-16T12:55:55Z'))).toBe(true);
  });

  const sunday = sec('2022-03-06T00:00:00Z');
  const saturday = sec('2022-03-05T00:00:00Z');
  const monday = sec('2022-03-07T00:00:00Z');
  it.each(['0', '7', 'sun', '*', '0-3', '5-7', '5-7/2', '6-7', '2-7/5', '0-7/7', '0/7'])('%s matches Sunday', (dow) => {
    expect(compile({ dayOfWeek: dow }, UTC).matches(sunday)).toBe(true);
  });
  it.each(['*', '5-7', '6-7', '2/4', '2-7/4'])('%s matches Saturday', (dow) => {
    expect(compile({ dayOfWeek: dow }, UTC).matches(saturday)).toBe(true);
  });
  it.each(['0', '7', 'sun', '5-7', '5-7/2', '6-7', '2-7/5', '0-7/7', '0/7'])('%s does not match Monday', (dow) => {
    expect(compile({ dayOfWeek: dow }, UTC).matches(monday)).toBe(false);
  });
});

describe('parseCronString', () => {
  const base = {
    second: [r(0)],
    dayOfMonth: [r(1, 31)],
    month: [r(1, 12)],
    dayOfWeek: [r(0, 6)],
    year: [],
    comment: '',
  };

  it('reads five fields', () => {
    expect(parseCronString('5,9 */2 * * *')).toEqual({
      structured: { ...base, minute: [r(5), r(9)], hour: [r(0, 23, 2)] },
      timezone: '',
    });
  });

  it('reads seven fields with a zone and a comment', () => {
    expect(parseCronString('CRON_TZ=US/Pacific 55 55,57 5 2/2 * wed-thurs *  # explanation')).toEqual({
      structured: {
        second: [r(55)],
        minute: [r(55), r(57)],
        hour: [r(5)],
        dayOfMonth: [r(2, 31, 2)],
        month: [r(1, 12)],
        dayOfWeek: [r(3, 4)],
        year: [],
        comment: 'explanation',
      },
      timezone: 'US/Pacific',
    });
  });

  it('reads six fields (year last)', () => {
    expect(parseCronString('0 12 * * * 2026-2030/2').structured?.year).toEqual([r(2026, 2030, 2)]);
  });

  it('reads descriptors', () => {
    expect(parseCronString('@monthly')).toEqual({
      structured: { ...base, minute: [r(0)], hour: [r(0)], dayOfMonth: [r(1)] },
      timezone: '',
    });
    expect(parseCronString('@hourly').structured?.hour).toEqual([r(0, 23)]);
    expect(parseCronString('@weekly').structured?.dayOfWeek).toEqual([r(0)]);
    expect(parseCronString('@yearly')).toEqual(parseCronString('@annually'));
    expect(parseCronString('@daily')).toEqual(parseCronString('@midnight'));
  });

  it('reads @every with days and a phase', () => {
    expect(parseCronString('@every 5d')).toEqual({
      interval: { intervalNanos: 432_000_000_000_000n, phaseNanos: 0n },
      timezone: '',
    });
    expect(parseCronString('@every 5h/45m')).toEqual({
      interval: { intervalNanos: 18_000_000_000_000n, phaseNanos: 2_700_000_000_000n },
      timezone: '',
    });
    expect(parseCronString('@every 1h30m15.5s').interval?.intervalNanos).toBe(5_415_500_000_000n);
  });

  it('rejects a year out of range', () => {
    expect(() => parseCronString('0 1 2 3 4 1999')).toThrow('Year is not in range');
  });
});

describe('calendar strings to ranges (upstream TestMakeRange)', () => {
  const field = (minute: string) => calendarToStructured({ minute }).minute;
  it.each([
    ['13', [r(13)]],
    ['13,18', [r(13), r(18)]],
    ['13,18,44', [r(13), r(18), r(44)]],
    ['13-18', [r(13, 18)]],
    ['2-5,7-9,11', [r(2, 5), r(7, 9), r(11)]],
    ['*', [r(0, 59)]],
    ['*/3', [r(0, 59, 3)]],
    ['2/3', [r(2, 59, 3)]],
    ['2-6/3', [r(2, 6, 3)]],
    ['2-6/4,7-8', [r(2, 6, 4), r(7, 8)]],
    [' 7 ', [r(7)]],
    ['+7', [r(7)]],
  ])('%j', (text, ranges) => {
    expect(field(text)).toEqual(ranges);
  });

  it.each([
    ['133', 'Minute is not in range [0-59]'],
    ['13,18,44,', 'Minute is not in range [0-59]'],
    ['18-13', 'Minute End is before Start or not in range [0-59]'],
    ['1,3,18-13', 'Minute End is before Start or not in range [0-59]'],
    ['2/3/5', 'Minute has too many slashes'],
    ['1-5-7', 'Minute has too many dashes'],
  ])('%j is an error', (text, message) => {
    expect(() => field(text)).toThrow(message);
  });

  it('reads month and weekday names', () => {
    expect(calendarToStructured({ month: 'Sept' }).month).toEqual([r(9)]);
    expect(calendarToStructured({ month: 'February/5' }).month).toEqual([r(2, 12, 5)]);
    expect(calendarToStructured({ dayOfWeek: 'mon-Friday' }).dayOfWeek).toEqual([r(1, 5)]);
    expect(calendarToStructured({ dayOfWeek: 'TU,th' }).dayOfWeek).toEqual([r(2), r(4)]);
    expect(() => calendarToStructured({ dayOfWeek: 'Fri-Tues' })).toThrow('DayOfWeek End is before Start');
    expect(() => calendarToStructured({ dayOfWeek: 'monday-' })).toThrow('DayOfWeek End is before Start');
    expect(() => calendarToStructured({ month: 'ju' })).toThrow('Month is not in range [1-12]');
  });

  it('turns Sunday written 7 into 0', () => {
    const dow = (text: string) => calendarToStructured({ dayOfWeek: text }).dayOfWeek;
    expect(dow('0-7')).toEqual([r(0, 6)]);
    expect(dow('1-7')).toEqual([r(1, 6)]);
    expect(dow('3-7')).toEqual([r(0), r(3, 6)]);
    expect(dow('3-7/3')).toEqual([r(3, 6, 3)]);
    expect(dow('1-7/2')).toEqual([r(0), r(1, 6, 2)]);
    expect(dow('7')).toEqual([r(0)]);
    expect(dow('6,7')).toEqual([r(6), r(0)]);
  });

  it('leaves all years as no ranges', () => {
    expect(calendarToStructured({}).year).toEqual([]);
    expect(calendarToStructured({ year: '*/50' }).year).toEqual([r(2000, 2100, 50)]);
    expect(calendarToStructured({ year: '2020-2022,2024,2026/3' }).year).toEqual([
      r(2020, 2022),
      r(2024),
      r(2026, 2100, 3),
    ]);
  });
});

describe('CompiledCalendar.next', () => {
  it('walks fields from the outside in (upstream TestCalendarNextBasic)', () => {
    const cc = compile({ second: '55', minute: '55', hour: '5', dayOfWeek: 'wed-thurs', dayOfMonth: '2/2' }, PACIFIC);
    const target = wall(PACIFIC, 2022, 3, 2, 5, 55, 55);
    expect(cc.next(wall(PACIFIC, 2022, 3, 2, 5, 55, 33))).toBe(target);
    expect(cc.next(wall(PACIFIC, 2022, 3, 2, 5, 33, 33))).toBe(target);
    expect(cc.next(wall(PACIFIC, 2022, 3, 2, 3, 33, 33))).toBe(target);
    expect(cc.next(wall(PACIFIC, 2022, 3, 1, 1, 11, 11))).toBe(target);
    expect(cc.next(target)).toBe(wall(PACIFIC, 2022, 3, 10, 5, 55, 55));
    expect(cc.next(wall(PACIFIC, 2022, 3, 10, 5, 55, 55))).toBe(wall(PACIFIC, 2022, 3, 16, 5, 55, 55));
  });

  it('resolves a nonexistent wall time as Go does (upstream TestGoDSTBehavior)', () => {
    expect(wall(PACIFIC, 2022, 3, 13, 2, 33, 33)).toBe(wall(PACIFIC, 2022, 3, 13, 1, 33, 33));
  });

  /** Upstream's checkSequence: each next time, and every second in between leads to it too. */
  function checkSequence(cron: string, start: number, ...expected: string[]) {
    const parsed = parseCronString(cron);
    const cc = new CompiledCalendar(parsed.structured as Structured, new Zone(parsed.timezone || 'UTC'));
    for (const exp of expected) {
      const next = cc.next(start)!;
      expect(new Date(next * 1000).toISOString()).toBe(exp);
      for (let t = start; t < next; t += 1) {
        if (cc.next(t) !== next) throw new Error(`next(${t}) = ${cc.next(t)}, not ${next}`);
      }
      start = next;
    }
  }

  it('skips a spring-forward gap and repeats a fall-back hour (upstream TestCalendarNextDST)', () => {
    checkSequence(
      'CRON_TZ=US/Pacific 33 33 2 * * * *',
      wall(PACIFIC, 2022, 3, 11, 20),
      '2022-03-12T10:33:33.000Z',
      '2022-03-14T09:33:33.000Z', // March 13 has no 2:33:33
    );
    checkSequence(
      'CRON_TZ=US/Pacific 33 33,44 1 * * * *',
      wall(PACIFIC, 2021, 11, 7, 0, 15, 15),
      '2021-11-07T08:33:33.000Z',
      '2021-11-07T08:44:33.000Z',
      '2021-11-07T09:33:33.000Z', // the second 1:33:33
      '2021-11-07T09:44:33.000Z',
      '2021-11-08T09:33:33.000Z',
    );
  });

  it('gives the same answer from every second before it (fuzz-style, several zones)', () => {
    const zones = ['UTC', 'US/Pacific', 'America/Montreal', 'Asia/Beirut', 'America/Asuncion', 'Europe/London', 'Cuba'];
    const specs: CalendarSpecJson[] = [
      { second: '*/7', minute: '*/13', hour: '*' },
      { minute: '0,30', hour: '0-3', dayOfMonth: '1-10' },
      { second: '0', minute: '*', hour: '0,1,2,23', dayOfWeek: 'sun' },
    ];
    let seed = 12345;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (const name of zones) {
      const zone = new Zone(name);
      for (const spec of specs) {
        const cc = compile(spec, zone);
        const now = sec('2022-03-01T00:00:00Z') + Math.floor(random() * 3e7);
        const next = cc.next(now)!;
        expect(next).toBeGreaterThan(now);
        for (let i = 0; i < 200; i++) {
          const t = now + Math.floor(random() * (next - now));
          expect(cc.next(t)).toBe(next);
        }
        for (let t = next; t - next < 5 * 3600; t += 1234) expect(cc.next(t)!).toBeGreaterThan(next);
      }
    }
  });

  it('finds nothing past 2100', () => {
    expect(compile({ dayOfMonth: '30', month: 'feb' }, UTC).next(0)).toBeUndefined();
  });
});

describe('Zone', () => {
  it('reads local fields', () => {
    const kolkata = new Zone('Asia/Kolkata');
    expect(kolkata.offset(sec('2026-01-01T00:00:00Z'))).toBe(19_800);
    expect(kolkata.local(sec('2026-01-01T00:00:00Z'))).toEqual({ ...civil(sec('2026-01-01T05:30:00Z')) });
    expect(new Zone('America/New_York').offset(sec('2026-07-01T00:00:00Z'))).toBe(-4 * 3600);
    // an offset change inside an hour bucket: before and after the 02:00 EST switch at 07:00Z
    const ny = new Zone('America/New_York');
    expect(ny.offset(sec('2026-03-08T06:59:59Z'))).toBe(-5 * 3600);
    expect(ny.offset(sec('2026-03-08T07:00:00Z'))).toBe(-4 * 3600);
  });
});

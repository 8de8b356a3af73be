// Cases from upstream's spec_test.go (service/worker/scheduler), plus the engine's own API contract.
import { describe, expect, it } from '@jest/globals';
import {
  MAX_MATCHING_TIMES,
  ScheduleSpecError,
  canonicalSpec,
  compileSpec,
  matchingTimes,
  nextTime,
  type ScheduleSpecJson,
} from './index.js';

const at = (text: string) => Date.parse(text);
const iso = (ms: number) => new Date(ms).toISOString();

/** Upstream's checkSequenceFull: each next time after the previous actual time; "none" when the spec is done. */
function sequence(spec: ScheduleSpecJson, start: string, count: number, seed = ''): string[] {
  const compiled = compileSpec(spec);
  const out: string[] = [];
  let after = at(start);
  for (let i = 0; i < count; i++) {
    const next = nextTime(compiled, after, seed);
    if (!next) {
      out.push('none');
      break;
    }
    out.push(iso(next.actualMs));
    after = next.actualMs;
  }
  return out;
}

describe('canonical form', () => {
  it('leaves an empty spec empty', () => {
    expect(canonicalSpec(compileSpec({}))).toEqual({});
  });

  it('turns @every into an interval', () => {
    expect(canonicalSpec(compileSpec({ cronString: ['@every 43h'] }))).toEqual({ interval: [{ interval: '154800s' }] });
  });

  const structured = [
    {
      second: [{ step: 1 }],
      minute: [{ start: 23, end: 23, step: 1 }],
      hour: [
        { start: 5, end: 5, step: 1 },
        { start: 7, end: 7, step: 1 },
      ],
      dayOfMonth: [{ start: 1, end: 31, step: 1 }],
      month: [{ start: 1, end: 12, step: 1 }],
      dayOfWeek: [{ end: 6, step: 1 }],
    },
  ];

  it('fills in a string calendar defaults', () => {
    expect(canonicalSpec(compileSpec({ calendar: [{ hour: '5,7', minute: '23' }] }))).toEqual({
      structuredCalendar: structured,
    });
  });

  it('keeps the spec zone when the cron string has none', () => {
    const spec = compileSpec({
      cronString: ['23 5,7 * * *'],
      jitter: '300s',
      startTime: '2022-03-23T00:00:00Z',
      timezoneName: 'Europe/London',
    });
    expect(canonicalSpec(spec)).toEqual({
      structuredCalendar: structured,
      jitter: '300s',
      startTime: '2022-03-23T00:00:00Z',
      timezoneName: 'Europe/London',
    });
  });

  it('accepts a cron zone equal to the spec zone, and copies it into the spec', () => {
    expect(
      canonicalSpec(compileSpec({ cronString: ['CRON_TZ=Europe/London 23 5,7 * * *'], timezoneName: 'Europe/London' })),
    ).toEqual({ structuredCalendar: structured, timezoneName: 'Europe/London' });
    expect(canonicalSpec(compileSpec({ cronString: ['TZ=Europe/London 23 5,7 * * *'] })).timezoneName).toBe(
      'Europe/London',
    );
  });

  it.each([
    [{ cronString: ['CRON_TZ=America/New_York 23 5,7 * * *'], timezoneName: 'Europe/London' }],
    [{ cronString: ['CRON_TZ=Europe/London 23 5,7 * * *', 'CRON_TZ=America/New_York 23 5,7 * * *'] }],
    [{ cronString: ['CRON_TZ=Europe/London 23 5,7 * * *', '23 5,7 * * *'] }],
    [{ cronString: ['23 5,7 * * *', 'CRON_TZ=Europe/London 23 5,7 * * *'] }],
  ])('rejects conflicting zones %j', (spec) => {
    expect(() => compileSpec(spec)).toThrow('Invalid schedule spec: conflicting timezone names');
  });

  it('keeps the comment of a cron string and a calendar', () => {
    const spec = canonicalSpec(
      compileSpec({ cronString: ['0 5 * * * # at five'], calendar: [{ comment: 'midnight' }] }),
    );
    expect(spec.structuredCalendar?.map((c) => c.comment)).toEqual(['midnight', 'at five']);
  });

  it('is idempotent: compiling the canonical spec gives the same spec and times', () => {
    const spec: ScheduleSpecJson = {
      cronString: ['30 1 * * *', '@every 90m/7m'],
      timezoneName: 'America/New_York',
      excludeCalendar: [{ dayOfWeek: 'sat,sun', hour: '*', minute: '*', second: '*' }],
      jitter: '1.5s',
    };
    const first = compileSpec(spec);
    const second = compileSpec(canonicalSpec(first));
    expect(canonicalSpec(second)).toEqual(canonicalSpec(first));
    const window = [at('2026-10-30T00:00:00Z'), at('2026-11-04T00:00:00Z')] as const;
    expect(matchingTimes(second, ...window, 'seed')).toEqual(matchingTimes(first, ...window, 'seed'));
  });

  it('is plain data', () => {
    const compiled = compileSpec({ cronString: ['*/5 * * * *'], timezoneName: 'Asia/Kolkata' });
    const copy = JSON.parse(JSON.stringify(compiled)) as typeof compiled;
    expect(nextTime(copy, at('2026-01-01T00:01:00Z'))).toEqual(nextTime(compiled, at('2026-01-01T00:01:00Z')));
  });
});

describe('validation', () => {
  const invalid = (spec: ScheduleSpecJson) => {
    try {
      compileSpec(spec);
    } catch (err) {
      expect(err).toBeInstanceOf(ScheduleSpecError);
      return (err as Error).message;
    }
    throw new Error('no error');
  };

  it.each([
    [{ interval: [{ interval: '-154800s' }] }, 'Invalid schedule spec: interval is too small'],
    [{ interval: [{}] }, 'Invalid schedule spec: interval is too small'],
    [{ interval: [{ interval: '0.999s' }] }, 'Invalid schedule spec: interval is too small'],
    [
      { interval: [{ interval: '10800s', phase: '14400s' }] },
      'Invalid schedule spec: phase cannot be greater than Interval',
    ],
    [{ interval: [{ interval: '60s', phase: '-1s' }] }, 'Invalid schedule spec: phase is negative'],
    [{ cronString: ['@every 1h/1h'] }, 'Invalid schedule spec: phase cannot be greater than Interval'],
    [{ cronString: ['@every 1s'] }, undefined],
  ])('interval %j', (spec, message) => {
    if (message === undefined) expect(() => compileSpec(spec)).not.toThrow();
    else expect(invalid(spec)).toBe(message);
  });

  it.each([
    [{ second: [{ start: 100 }] }, 'Second Start is not in range [0-59]'],
    [{ second: [{ start: -3 }] }, 'Second Start is not in range [0-59]'],
    [{ second: [{ start: 30, end: 60 }] }, 'Second End is before Start or not in range [0-59]'],
    [{ second: [{ start: 30, end: 40, step: -3 }] }, 'Second has invalid Step'],
    [{ minute: [{ start: 60 }] }, 'Minute Start is not in range [0-59]'],
    [{ hour: [{ start: 0, end: 24 }] }, 'Hour End is before Start or not in range [0-23]'],
    [
      { hour: [{ start: 24, end: 26 }] },
      'Hour Start is not in range [0-23], Hour End is before Start or not in range [0-23]',
    ],
    [{ hour: [{ start: 16, end: 12 }] }, 'Hour End is before Start or not in range [0-23]'],
    [{ dayOfMonth: [{ start: 0 }] }, 'DayOfMonth Start is not in range [1-31]'],
    [
      { dayOfMonth: [{ end: 33 }] },
      'DayOfMonth Start is not in range [1-31], DayOfMonth End is before Start or not in range [1-31]',
    ],
    [{ month: [{ start: 0 }] }, 'Month Start is not in range [1-12]'],
    [{ month: [{ end: 13 }] }, 'Month Start is not in range [1-12], Month End is before Start or not in range [1-12]'],
    [{ dayOfWeek: [{ start: 7 }] }, 'DayOfWeek Start is not in range [0-6]'],
    [{ dayOfWeek: [{ start: 6, end: 7 }] }, 'DayOfWeek End is before Start or not in range [0-6]'],
    [{ year: [{ start: 1999 }] }, 'Year Start is not in range [2000-2100]'],
    [{ year: [{ start: 2112 }] }, 'Year Start is not in range [2000-2100]'],
    [{ comment: 'x'.repeat(201) }, 'comment is too long'],
  ])('structured calendar %j', (cal, message) => {
    expect(invalid({ structuredCalendar: [cal] })).toBe(`Invalid schedule spec: invalid calendar spec: ${message}`);
  });

  it('measures a comment in UTF-8 bytes', () => {
    expect(() => compileSpec({ structuredCalendar: [{ comment: 'é'.repeat(100) }] })).not.toThrow();
    expect(invalid({ structuredCalendar: [{ comment: 'é'.repeat(101) }] })).toContain('comment is too long');
  });

  it.each([
    ['* * *', 'CronString does not have 5-7 fields'],
    ['1 2 3 4 5 2026 7 8', 'CronString does not have 5-7 fields'],
    ['@reboot', 'CronString does not have 5-7 fields'],
    ['61 * * * *', 'Minute is not in range [0-59]'],
    ['0 1 2 3 4 1999', 'Year is not in range [2000-2100]'],
    ['CRON_TZ=UTC', 'CronString has time zone but missing fields'],
    ['CRON_TZ=Mars/Olympus 0 * * * *', 'unknown time zone Mars/Olympus'],
    ['@every', 'CronString does not have interval after @every'],
    ['@every 5x', 'time: unknown unit "x" in duration "5x"'],
    ['@every 5', 'time: missing unit in duration "5"'],
    ['@every .h', 'time: invalid duration ".h"'],
    ['*/x * * * *', 'strconv.Atoi: parsing "x": invalid syntax'],
    ['*/0 * * * *', 'Minute has invalid Step'],
    ['1/2/3 * * * *', 'Minute has too many slashes'],
    ['1-2-3 * * * *', 'Minute has too many dashes'],
    ['5/ * * * *', 'Minute missing step value'],
    ['0 0 * * fri-tue', 'DayOfWeek End is before Start or not in range [0-7]'],
    ['0 0 * foo *', 'Month is not in range [1-12]'],
    ['0 0 L * *', 'DayOfMonth is not in range [1-31]'],
    ['0 0 1W * *', 'DayOfMonth is not in range [1-31]'],
  ])('cron string %j', (cron, message) => {
    expect(invalid({ cronString: [cron] })).toBe(`Invalid schedule spec: ${message}`);
  });

  it('joins every field error of a string calendar', () => {
    expect(
      invalid({
        calendar: [
          {
            second: '1/2/3',
            minute: '5/',
            hour: '1-2-3',
            dayOfMonth: '0',
            month: 'Foo',
            dayOfWeek: 'fri-tue',
            year: '*/x',
          },
        ],
      }),
    ).toBe(
      'Invalid schedule spec: Second has too many slashes, Minute missing step value, Hour has too many dashes, ' +
        'DayOfWeek End is before Start or not in range [0-7], DayOfMonth is not in range [1-31], ' +
        'Month is not in range [1-12], strconv.Atoi: parsing "x": invalid syntax',
    );
  });

  it.each([
    ['America/Nowhere', 'unknown time zone America/Nowhere'],
    ['america/new_york', 'unknown time zone america/new_york'],
    ['../etc/passwd', 'time: invalid location name'],
    ['+05:00', 'unknown time zone +05:00'],
  ])('time zone %j', (zone, message) => {
    expect(invalid({ interval: [{ interval: '60s' }], timezoneName: zone })).toBe(`Invalid schedule spec: ${message}`);
  });

  it.each(['', 'UTC', 'Local', 'US/Pacific', 'Asia/Kolkata', 'Etc/GMT+5', 'EST5EDT'])(
    'accepts time zone %j',
    (zone) => {
      expect(() => compileSpec({ timezoneName: zone })).not.toThrow();
    },
  );

  it('rejects timezone_data, which it does not implement', () => {
    expect(invalid({ timezoneName: 'X', timezoneData: 'VFppZjI=' })).toBe(
      'Invalid schedule spec: timezone_data is not supported by this server; use timezone_name (an IANA zone name)',
    );
  });

  it('rejects malformed JSON values', () => {
    expect(invalid({ jitter: '5 seconds' })).toBe('Invalid schedule spec: invalid jitter duration "5 seconds"');
    expect(invalid({ startTime: 'yesterday' })).toBe('Invalid schedule spec: invalid start_time timestamp "yesterday"');
    expect(invalid({ structuredCalendar: [{ hour: [{ start: 1.5 }] }] })).toBe(
      'Invalid schedule spec: hour.start is not an int32',
    );
  });
});

describe('intervals', () => {
  it('counts from the epoch', () => {
    expect(sequence({ interval: [{ interval: '5400s' }] }, '2022-03-23T12:53:02.000Z', 4)).toEqual([
      '2022-03-23T13:30:00.000Z',
      '2022-03-23T15:00:00.000Z',
      '2022-03-23T16:30:00.000Z',
      '2022-03-23T18:00:00.000Z',
    ]);
  });

  it('adds the phase', () => {
    expect(sequence({ interval: [{ interval: '5400s', phase: '344s' }] }, '2022-03-23T12:53:02.000Z', 4)).toEqual([
      '2022-03-23T13:35:44.000Z',
      '2022-03-23T15:05:44.000Z',
      '2022-03-23T16:35:44.000Z',
      '2022-03-23T18:05:44.000Z',
    ]);
  });

  it('merges several intervals', () => {
    const spec = {
      interval: [
        { interval: '5400s', phase: '344s' },
        { interval: '9420s', phase: '1331s' },
      ],
    };
    expect(sequence(spec, '2022-03-23T12:53:02.000Z', 7)).toEqual([
      '2022-03-23T13:35:44.000Z',
      '2022-03-23T15:05:44.000Z',
      '2022-03-23T15:26:11.000Z',
      '2022-03-23T16:35:44.000Z',
      '2022-03-23T18:03:11.000Z',
      '2022-03-23T18:05:44.000Z',
      '2022-03-23T19:35:44.000Z',
    ]);
  });

  it('truncates interval and phase to seconds', () => {
    expect(sequence({ interval: [{ interval: '2.9s', phase: '1.9s' }] }, '2022-03-23T00:00:00.000Z', 2)).toEqual([
      '2022-03-23T00:00:01.000Z',
      '2022-03-23T00:00:03.000Z',
    ]);
  });

  it('reads @every with a phase', () => {
    expect(sequence({ cronString: ['@every 5h/45m'] }, '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-01T04:45:00.000Z',
      '2026-01-01T09:45:00.000Z',
      '2026-01-01T14:45:00.000Z',
    ]);
    expect(canonicalSpec(compileSpec({ cronString: ['@every 5d'] }))).toEqual({ interval: [{ interval: '432000s' }] });
    expect(canonicalSpec(compileSpec({ cronString: ['@every 1.5h/90s'] }))).toEqual({
      interval: [{ interval: '5400s', phase: '90s' }],
    });
  });
});

describe('calendars', () => {
  it('matches a string calendar', () => {
    expect(sequence({ calendar: [{ hour: '5,7', minute: '23' }] }, '2022-03-23T03:00:00Z', 4)).toEqual([
      '2022-03-23T05:23:00.000Z',
      '2022-03-23T07:23:00.000Z',
      '2022-03-24T05:23:00.000Z',
      '2022-03-24T07:23:00.000Z',
    ]);
  });

  it('merges calendars, cron strings and intervals', () => {
    const calendarAndCron = {
      calendar: [{ hour: '5,7', minute: '23' }],
      cronString: ['55 11,13 * * *'],
    };
    expect(sequence(calendarAndCron, '2022-03-23T03:00:00Z', 5)).toEqual([
      '2022-03-23T05:23:00.000Z',
      '2022-03-23T07:23:00.000Z',
      '2022-03-23T11:55:00.000Z',
      '2022-03-23T13:55:00.000Z',
      '2022-03-24T05:23:00.000Z',
    ]);
    const mixed = {
      calendar: [{ hour: '11,13', minute: '55' }],
      interval: [{ interval: '5400s', phase: '420s' }],
    };
    expect(sequence(mixed, '2022-03-23T10:00:00Z', 6)).toEqual([
      '2022-03-23T10:37:00.000Z',
      '2022-03-23T11:55:00.000Z',
      '2022-03-23T12:07:00.000Z',
      '2022-03-23T13:37:00.000Z',
      '2022-03-23T13:55:00.000Z',
      '2022-03-23T15:07:00.000Z',
    ]);
  });

  it('requires both day of month and day of week (no cron "or")', () => {
    expect(sequence({ cronString: ['0 9 13 * fri'] }, '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-02-13T09:00:00.000Z',
      '2026-03-13T09:00:00.000Z',
      '2026-11-13T09:00:00.000Z',
    ]);
  });

  it('matches nothing for an empty structured field other than year', () => {
    expect(nextTime(compileSpec({ structuredCalendar: [{ second: [{}], minute: [{}] }] }), 0)).toBeUndefined();
    const leapDay = {
      second: [{}],
      minute: [{}],
      hour: [{ start: 6 }],
      dayOfMonth: [{ start: 29 }],
      month: [{ start: 2 }],
      dayOfWeek: [{ end: 6 }],
    };
    expect(sequence({ structuredCalendar: [leapDay] }, '2026-01-01T00:00:00Z', 2)).toEqual([
      '2028-02-29T06:00:00.000Z',
      '2032-02-29T06:00:00.000Z',
    ]);
  });

  it('reads "#" in a cron string as the start of a comment', () => {
    const compiled = compileSpec({ cronString: ['0 0 * * 5#3'] });
    expect(canonicalSpec(compiled).structuredCalendar?.[0]?.comment).toBe('3');
    expect(sequence({ cronString: ['0 0 * * 5#3'] }, '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-02T00:00:00.000Z',
      '2026-01-09T00:00:00.000Z',
    ]);
  });

  it('stops after 2100', () => {
    expect(sequence({ cronString: ['0 0 29 2 *'] }, '2096-03-01T00:00:00Z', 1)).toEqual(['none']);
    expect(sequence({ interval: [{ interval: '86400s' }] }, '2100-12-30T12:00:00Z', 2)).toEqual([
      '2100-12-31T00:00:00.000Z',
      'none',
    ]);
  });
});

describe('excludes, start and end', () => {
  it('skips excluded times (upstream TestSpecExclude, jitter included)', () => {
    const spec = {
      interval: [{ interval: '5400s' }],
      excludeCalendar: [{ hour: '12-14', minute: '*', second: '*' }],
      jitter: '1s',
    };
    expect(sequence(spec, '2022-03-23T08:00:00Z', 4)).toEqual([
      '2022-03-23T09:00:00.235Z',
      '2022-03-23T10:30:00.139Z',
      '2022-03-23T15:00:00.089Z',
      '2022-03-23T16:30:00.687Z',
    ]);
  });

  it('returns nothing when everything is excluded', () => {
    const spec = compileSpec({
      interval: [{ interval: '604800s' }],
      excludeCalendar: [{ second: '*', minute: '*', hour: '*' }],
    });
    expect(nextTime(spec, at('2022-03-23T12:53:02Z'))).toBeUndefined();
  });

  it('resolves past many excluded candidates', () => {
    const spec = compileSpec({
      calendar: [{ second: '*', minute: '*', hour: '*' }],
      excludeCalendar: [{ second: '0-58', minute: '*', hour: '*' }],
    });
    expect(iso(nextTime(spec, at('2022-03-23T12:00:00Z'))!.nominalMs)).toBe('2022-03-23T12:00:59.000Z');
  });

  it('starts at start_time (upstream TestSpecStartTime)', () => {
    const spec = { interval: [{ interval: '5400s' }], startTime: '2022-03-23T12:00:00Z', jitter: '1s' };
    expect(sequence(spec, '2022-03-23T08:00:00Z', 3)).toEqual([
      '2022-03-23T12:00:00.162Z',
      '2022-03-23T13:30:00.587Z',
      '2022-03-23T15:00:00.089Z',
    ]);
  });

  it('does not go back to start_time from within its second (upstream TestSpecStartTimeMinusOneSecond)', () => {
    const spec = { interval: [{ interval: '3600s' }], startTime: '2022-03-23T12:00:00.456Z' };
    expect(sequence(spec, '2022-03-23T12:00:00.123Z', 1)).toEqual(['2022-03-23T13:00:00.000Z']);
  });

  it('ends at end_time (upstream TestSpecEndTime)', () => {
    const spec = { interval: [{ interval: '5400s' }], endTime: '2022-03-23T14:00:00Z', jitter: '1s' };
    expect(sequence(spec, '2022-03-23T11:00:00Z', 3)).toEqual([
      '2022-03-23T12:00:00.162Z',
      '2022-03-23T13:30:00.587Z',
      'none',
    ]);
  });

  it('includes a nominal time equal to end_time, even if its jitter goes past it', () => {
    const compiled = compileSpec({
      interval: [{ interval: '3600s' }],
      endTime: '2022-03-23T14:00:00Z',
      jitter: '600s',
    });
    const next = nextTime(compiled, at('2022-03-23T13:30:00Z'), 'x')!;
    expect(iso(next.nominalMs)).toBe('2022-03-23T14:00:00.000Z');
    expect(next.actualMs).toBeGreaterThan(at('2022-03-23T14:00:00Z'));
  });
});

describe('jitter', () => {
  it('is bounded by the next nominal time (upstream TestSpecBoundedJitter)', () => {
    expect(sequence({ interval: [{ interval: '5400s' }], jitter: '86400s' }, '2022-03-23T11:00:00Z', 3)).toEqual([
      '2022-03-23T12:14:36.524Z',
      '2022-03-23T14:22:54.562Z',
      '2022-03-23T15:08:03.724Z',
    ]);
  });

  it('applies to a single run (upstream TestSpecJitterSingleRun)', () => {
    const cal = { hour: '13', minute: '55', dayOfMonth: '7', month: '4', year: '2022' };
    expect(sequence({ calendar: [cal] }, '2022-03-23T11:00:00Z', 2)).toEqual(['2022-04-07T13:55:00.000Z', 'none']);
    expect(sequence({ calendar: [cal], jitter: '3600s' }, '2022-03-23T11:00:00Z', 1)).toEqual([
      '2022-04-07T13:57:26.927Z',
    ]);
  });

  it('depends on the seed (upstream TestSpecJitterSeed)', () => {
    const spec = { interval: [{ interval: '86400s' }], jitter: '3600s' };
    expect(sequence(spec, '2022-03-23T11:00:00Z', 1, '')).toEqual(['2022-03-24T00:35:24.276Z']);
    expect(sequence(spec, '2022-03-23T11:00:00Z', 1, 'seed-1')).toEqual(['2022-03-24T00:06:12.519Z']);
    expect(sequence(spec, '2022-03-23T11:00:00Z', 1, 'seed-2')).toEqual(['2022-03-24T00:39:16.922Z']);
  });

  it('is deterministic per nominal time and within [0, jitter)', () => {
    const compiled = compileSpec({ cronString: ['*/10 * * * *'], jitter: '300s' });
    let after = at('2026-01-01T00:00:00Z');
    for (let i = 0; i < 200; i++) {
      const next = nextTime(compiled, after, 'ns-sched')!;
      expect(next.nominalMs % 600_000).toBe(0);
      expect(next.actualMs - next.nominalMs).toBeGreaterThanOrEqual(0);
      expect(next.actualMs - next.nominalMs).toBeLessThan(300_000);
      // Asking from anywhere before the nominal time gives the same jittered time.
      expect(nextTime(compiled, next.nominalMs - 1 - ((i * 7919) % 599_000), 'ns-sched')).toEqual(next);
      after = next.actualMs;
    }
  });

  it('is zero without jitter, and whole milliseconds', () => {
    const next = nextTime(compileSpec({ interval: [{ interval: '60s' }] }), 0)!;
    expect(next).toEqual({ nominalMs: 60_000, actualMs: 60_000 });
    const jittered = nextTime(compileSpec({ interval: [{ interval: '60s' }], jitter: '59.9999s' }), 0, 'a')!;
    expect(Number.isInteger(jittered.actualMs)).toBe(true);
  });
});

describe('time zones', () => {
  const ny = (cron: string) => ({ cronString: [`CRON_TZ=America/New_York ${cron}`] });

  it('skips a wall time that does not exist (America/New_York, 2026-03-08)', () => {
    expect(sequence(ny('30 2 * * *'), '2026-03-06T12:00:00Z', 3)).toEqual([
      '2026-03-07T07:30:00.000Z',
      '2026-03-09T06:30:00.000Z',
      '2026-03-10T06:30:00.000Z',
    ]);
    expect(sequence(ny('15,45 * * * *'), '2026-03-08T05:00:00Z', 6)).toEqual([
      '2026-03-08T05:15:00.000Z', // 00:15 EST
      '2026-03-08T05:45:00.000Z',
      '2026-03-08T06:15:00.000Z', // 01:15 EST
      '2026-03-08T06:45:00.000Z',
      '2026-03-08T07:15:00.000Z', // 03:15 EDT: 02:15 does not exist
      '2026-03-08T07:45:00.000Z',
    ]);
  });

  it('fires twice in a repeated hour (America/New_York, 2026-11-01)', () => {
    expect(sequence(ny('30 1 * * *'), '2026-10-31T12:00:00Z', 3)).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T06:30:00.000Z', // 01:30 EST
      '2026-11-02T06:30:00.000Z',
    ]);
    expect(sequence(ny('0,30 * * * *'), '2026-11-01T04:00:00Z', 6)).toEqual([
      '2026-11-01T04:30:00.000Z',
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:00:00.000Z',
      '2026-11-01T06:30:00.000Z',
      '2026-11-01T07:00:00.000Z',
    ]);
    // From inside the second copy, the walk stays in the second copy.
    expect(sequence(ny('45 1 * * *'), '2026-11-01T06:10:00Z', 1)).toEqual(['2026-11-01T06:45:00.000Z']);
  });

  it('reads a zone with a 30-minute offset (Asia/Kolkata) and one with 45 (Asia/Kathmandu)', () => {
    expect(
      sequence(
        { calendar: [{ hour: '9', minute: '0,30', dayOfWeek: 'mon-fri' }], timezoneName: 'Asia/Kolkata' },
        '2026-03-06T00:00:00Z',
        3,
      ),
    ).toEqual(['2026-03-06T03:30:00.000Z', '2026-03-06T04:00:00.000Z', '2026-03-09T03:30:00.000Z']);
    expect(sequence({ cronString: ['TZ=Asia/Kathmandu 0 0 * * *'] }, '2026-01-01T00:00:00Z', 1)).toEqual([
      '2026-01-01T18:15:00.000Z',
    ]);
  });

  it('handles a 30-minute DST shift (Australia/Lord_Howe, 2026-04-05)', () => {
    // 02:00 LHDT (+11) becomes 01:30 LHST (+10:30) at 15:00Z, so 01:30-01:59 happen twice; Go's time.Date (and so
    // upstream) resolves 01:30 to the later copy here, and 02:00 LHDT never happens.
    expect(sequence({ cronString: ['CRON_TZ=Australia/Lord_Howe 0,30 1,2 * * *'] }, '2026-04-04T14:30:00Z', 4)).toEqual(
      [
        '2026-04-04T15:00:00.000Z', // 01:30 LHST
        '2026-04-04T15:30:00.000Z',
        '2026-04-04T16:00:00.000Z',
        '2026-04-05T14:30:00.000Z',
      ],
    );
  });

  it('US/Pacific sequences from upstream TestCalendarNextDST', () => {
    expect(sequence({ cronString: ['CRON_TZ=US/Pacific 33 33 2 * * * *'] }, '2022-03-12T04:00:00Z', 2)).toEqual([
      '2022-03-12T10:33:33.000Z',
      '2022-03-14T09:33:33.000Z',
    ]);
    expect(sequence({ cronString: ['CRON_TZ=US/Pacific 33 33,44 1 * * * *'] }, '2021-11-07T07:15:15Z', 5)).toEqual([
      '2021-11-07T08:33:33.000Z',
      '2021-11-07T08:44:33.000Z',
      '2021-11-07T09:33:33.000Z',
      '2021-11-07T09:44:33.000Z',
      '2021-11-08T09:33:33.000Z',
    ]);
  });

  it('finds the 2nd of January on a Sunday in Europe/London (upstream TestCalendarDSTStartInRepeatedHourButNotEnd)', () => {
    const spec = {
      calendar: [{ second: '0', minute: '1', hour: '0', dayOfMonth: '2', month: 'Jan', dayOfWeek: 'Sun' }],
      timezoneName: 'Europe/London',
    };
    expect(sequence(spec, '2004-01-01T00:00:05Z', 1)).toEqual(['2005-01-02T00:01:00.000Z']);
    expect(sequence(spec, '2004-10-31T01:07:03Z', 1)).toEqual(['2005-01-02T00:01:00.000Z']);
  });
});

describe('matchingTimes', () => {
  it('lists after start up to and including end', () => {
    const compiled = compileSpec({ interval: [{ interval: '3600s' }] });
    expect(matchingTimes(compiled, at('2026-01-01T00:00:00Z'), at('2026-01-01T03:00:00Z')).map(iso)).toEqual([
      '2026-01-01T01:00:00.000Z',
      '2026-01-01T02:00:00.000Z',
      '2026-01-01T03:00:00.000Z',
    ]);
  });

  it('stops at the limit, upstream 1000 by default', () => {
    const compiled = compileSpec({ interval: [{ interval: '1s' }] });
    expect(MAX_MATCHING_TIMES).toBe(1000);
    expect(matchingTimes(compiled, 0, 10_000_000)).toHaveLength(1000);
    expect(matchingTimes(compiled, 0, 10_000_000, '', 5)).toEqual([1000, 2000, 3000, 4000, 5000]);
  });
});

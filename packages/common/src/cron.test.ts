import { describe, expect, it } from '@jest/globals';
import {
  INVALID_CRON_SCHEDULE,
  UNSATISFIABLE_CRON_SCHEDULE,
  cronBackoffMs,
  cronScheduleError,
  isValidCronSchedule,
  parseCronSchedule,
} from './cron.js';

const at = (iso: string): Date => new Date(iso);

/** The next `count` fire times after `from`, as ISO strings. */
function fireTimes(schedule: string, from: string, count: number): string[] {
  const parsed = parseCronSchedule(schedule);
  const times: string[] = [];
  let after = at(from);
  for (let i = 0; i < count; i++) {
    after = parsed.next(after);
    times.push(after.toISOString());
  }
  return times;
}

describe('cron schedule syntax (upstream: robfig/cron ParseStandard)', () => {
  it.each([
    '* * * * *',
    '0 12 * * MON-FRI',
    '*/15 0-6,18-23 1,15 jan-jun ?',
    '* * * JAN-mar sun',
    '30 5/2 * * 0',
    'CRON_TZ=America/New_York 0 9 * * *',
    'CRON_TZ=America/New_York  0 * * * *',
    'TZ=Europe/Paris @daily',
    'TZ=UTC 0 0 * * *',
    'TZ= 0 * * * *',
    'CRON_TZ=Europe/Paris @every 1h',
    ' 0 * * * *',
    '0 * * * * ',
    '@yearly',
    '@annually',
    '@monthly',
    '@weekly',
    '@daily',
    '@midnight',
    '@hourly',
    '@every 1h30m',
    '@every 90s',
    '@every 0',
    '@every -5m',
    // robfig's leniencies, checked against the official server.
    '+5 * * * *',
    '1,,2 * * * *',
    '*-5 * * * *',
    '0 0 31 2 MON',
  ])('accepts %p', (schedule) => {
    expect(cronScheduleError(schedule)).toBeUndefined();
    expect(isValidCronSchedule(schedule)).toBe(true);
  });

  it.each([
    '',
    'every day',
    '* * * *',
    '0 0 * * * *',
    '60 * * * *',
    '61 * * * *',
    '* 24 * * *',
    '* * 0 * *',
    '* * * 13 *',
    '* * * * 7',
    '5-1 * * * *',
    '1-2-3 * * * *',
    '*/0 * * * *',
    '*/2/3 * * * *',
    '-5 * * * *',
    '* * * foo *',
    '* * * * monday',
    '0 0 L * *',
    '0 0 * * 5#3',
    '0 0 15W * *',
    'H * * * *',
    '@fortnightly',
    '@Hourly',
    ' @hourly',
    '@every',
    '@every ',
    '@every soon',
    '@every  1h',
    '@every 1d',
    'CRON_TZ=Mars/Olympus 0 * * * *',
    'CRON_TZ=america/new_york 0 * * * *',
    'CRON_TZ=America/New_York',
    '\tCRON_TZ=America/New_York 0 * * * *',
  ])('rejects %p as invalid', (schedule) => {
    expect(cronScheduleError(schedule)).toBe(INVALID_CRON_SCHEDULE);
    expect(isValidCronSchedule(schedule)).toBe(false);
  });

  it.each(['0 0 30 2 *', '0 0 31 4,6,9,11 *', 'CRON_TZ=Asia/Tokyo 0 0 31 feb *'])(
    'rejects %p as never firing',
    (schedule) => {
      expect(cronScheduleError(schedule)).toBe(UNSATISFIABLE_CRON_SCHEDULE);
    },
  );
});

describe('fire times', () => {
  it('computes standard fields in UTC without a zone', () => {
    expect(fireTimes('*/20 9-10 * * *', '2026-05-04T09:30:00Z', 3)).toEqual([
      '2026-05-04T09:40:00.000Z',
      '2026-05-04T10:00:00.000Z',
      '2026-05-04T10:20:00.000Z',
    ]);
    // "N/step" runs from N to the field's maximum.
    expect(fireTimes('50/5 0 * * *', '2026-05-04T00:00:00Z', 3)).toEqual([
      '2026-05-04T00:50:00.000Z',
      '2026-05-04T00:55:00.000Z',
      '2026-05-05T00:50:00.000Z',
    ]);
  });

  it('matches either day when both day fields are restricted, both when one is a star', () => {
    // 2026-02-01 is a Sunday: Mondays in February, and the 31st of months that have one.
    expect(fireTimes('0 0 31 2 MON', '2026-02-01T00:00:00Z', 2)).toEqual([
      '2026-02-02T00:00:00.000Z',
      '2026-02-09T00:00:00.000Z',
    ]);
    expect(fireTimes('0 0 13 * FRI', '2026-02-01T00:00:00Z', 2)).toEqual([
      '2026-02-06T00:00:00.000Z',
      '2026-02-13T00:00:00.000Z',
    ]);
    expect(fireTimes('0 0 */10 * *', '2026-02-01T00:00:00Z', 3)).toEqual([
      '2026-02-11T00:00:00.000Z',
      '2026-02-21T00:00:00.000Z',
      '2026-03-01T00:00:00.000Z',
    ]);
  });

  it('evaluates descriptors in the schedule zone', () => {
    expect(fireTimes('CRON_TZ=Asia/Tokyo @daily', '2026-05-04T12:00:00Z', 1)).toEqual(['2026-05-04T15:00:00.000Z']);
    expect(fireTimes('TZ=Europe/Paris @monthly', '2026-05-04T12:00:00Z', 1)).toEqual(['2026-05-31T22:00:00.000Z']);
    expect(fireTimes('@weekly', '2026-05-04T12:00:00Z', 1)).toEqual(['2026-05-10T00:00:00.000Z']);
  });

  it('follows America/New_York across the March 2026 spring-forward', () => {
    // 2026-03-08 02:00 EST becomes 03:00 EDT.
    expect(fireTimes('CRON_TZ=America/New_York 0 * * * *', '2026-03-08T05:30:00Z', 3)).toEqual([
      '2026-03-08T06:00:00.000Z', // 01:00 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
      '2026-03-08T08:00:00.000Z',
    ]);
    expect(fireTimes('CRON_TZ=America/New_York 0 9 * * *', '2026-03-07T00:00:00Z', 2)).toEqual([
      '2026-03-07T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
    ]);
    // robfig skips wall-clock times that don't exist rather than firing at the shifted time.
    expect(fireTimes('TZ=America/New_York 30 2 * * *', '2026-03-07T12:00:00Z', 2)).toEqual([
      '2026-03-09T06:30:00.000Z',
      '2026-03-10T06:30:00.000Z',
    ]);
  });

  it('follows America/New_York across the November 2026 fall-back', () => {
    // 2026-11-01 02:00 EDT becomes 01:00 EST: the hourly schedule fires every real hour.
    expect(fireTimes('CRON_TZ=America/New_York 0 * * * *', '2026-11-01T04:30:00Z', 3)).toEqual([
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST
      '2026-11-01T07:00:00.000Z', // 02:00 EST
    ]);
    expect(fireTimes('CRON_TZ=America/New_York 0 9 * * *', '2026-10-31T00:00:00Z', 2)).toEqual([
      '2026-10-31T13:00:00.000Z',
      '2026-11-01T14:00:00.000Z',
    ]);
  });
});

describe('cronBackoffMs (upstream GetBackoffForNextScheduleNonNegative)', () => {
  it('waits for the first fire time of a new cron workflow, rounded up to seconds', () => {
    // The official server answered 2487s for this start time.
    const now = at('2026-12-01T08:18:33.718Z');
    expect(cronBackoffMs('CRON_TZ=America/New_York 0 * * * *', now, now)).toBe(2_487_000);
    expect(cronBackoffMs('0 * * * *', now, now)).toBe(2_487_000);
    expect(cronBackoffMs('CRON_TZ=Asia/Kolkata 0 * * * *', now, now)).toBe(687_000);
    expect(cronBackoffMs('TZ=UTC @daily', now, now)).toBe(56_487_000);
  });

  it('counts the next run from the fire time the current run was scheduled for', () => {
    // Scheduled for 10:00, closed at 10:07:30: the next five-minute mark is 10:10.
    expect(cronBackoffMs('*/5 * * * *', at('2026-05-04T10:00:00Z'), at('2026-05-04T10:07:30Z'))).toBe(150_000);
    // A fire time equal to now is not in the past.
    expect(cronBackoffMs('*/5 * * * *', at('2026-05-04T10:00:00Z'), at('2026-05-04T10:05:00Z'))).toBe(0);
    // Still before its scheduled time: wait for it.
    expect(cronBackoffMs('*/5 * * * *', at('2026-05-04T10:05:00Z'), at('2026-05-04T10:04:59.500Z'))).toBe(1000);
  });

  it('rounds @every to whole seconds, at least one, on the grid of the scheduled time', () => {
    const now = at('2026-05-04T10:00:00.250Z');
    expect(cronBackoffMs('@every 1h30m', now, now)).toBe(5_400_000);
    expect(cronBackoffMs('@every 1.5s', now, now)).toBe(1000);
    expect(cronBackoffMs('@every 500ms', now, now)).toBe(1000);
    expect(cronBackoffMs('@every 0', now, now)).toBe(1000);
    expect(cronBackoffMs('@every -5m', now, now)).toBe(1000);
    // Scheduled at 10:00:00.2, every 10s: a run closing at 10:00:03.5 waits for 10:00:10; one closing at 10:00:25
    // waits for 10:00:30.
    const scheduled = at('2026-05-04T10:00:00.200Z');
    expect(cronBackoffMs('@every 10s', scheduled, at('2026-05-04T10:00:03.500Z'))).toBe(7000);
    expect(cronBackoffMs('@every 10s', scheduled, at('2026-05-04T10:00:25.000Z'))).toBe(5000);
  });

  it('is zero for a schedule that does not parse', () => {
    const now = at('2026-05-04T10:00:00Z');
    expect(cronBackoffMs('61 * * * *', now, now)).toBe(0);
    expect(cronBackoffMs('0 0 30 2 *', now, now)).toBe(0);
  });
});

import { describe, expect, it } from '@jest/globals';
import { isValidCronSchedule } from './cron.js';

describe('isValidCronSchedule', () => {
  it.each([
    '* * * * *',
    '0 12 * * MON-FRI',
    '*/15 0-6,18-23 1,15 jan-jun ?',
    '30 5/2 * * 0',
    '0 0 * * * *',
    'CRON_TZ=America/New_York 0 9 * * *',
    '@hourly',
    '@daily',
    '@every 1h30m',
    '@every 90s',
  ])('accepts %s', (schedule) => {
    expect(isValidCronSchedule(schedule)).toBe(true);
  });

  it.each([
    '',
    'every day',
    '* * * *',
    '* * * * * * *',
    '60 * * * *',
    '* 24 * * *',
    '* * 0 * *',
    '* * * 13 *',
    '* * * * 7',
    '5-1 * * * *',
    '*/0 * * * *',
    '* * * foo *',
    '@fortnightly',
    '@every',
    '@every soon',
  ])('rejects %p', (schedule) => {
    expect(isValidCronSchedule(schedule)).toBe(false);
  });
});

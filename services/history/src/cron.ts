// Cron schedules for cron workflows, evaluated in UTC as upstream does. Besides the 5-field syntax (cron-parser),
// upstream accepts "@every <duration>" (robfig/cron), handled here.
import { CronExpressionParser } from 'cron-parser';

const EVERY = /^@every\s+((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function parseGoDuration(text: string): number {
  let total = 0;
  for (const [, value, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(value) * UNIT_MS[unit!]!;
  return total;
}

export function isValidCronSchedule(schedule: string): boolean {
  try {
    nextCronDelayMs(schedule, new Date());
    return true;
  } catch {
    return false;
  }
}

/** Time from `now` to the schedule's next fire time. */
export function nextCronDelayMs(schedule: string, now: Date): number {
  const trimmed = schedule.trim();
  const every = EVERY.exec(trimmed);
  if (every) {
    const interval = parseGoDuration(every[1]!);
    if (interval <= 0) throw new Error(`invalid cron schedule ${schedule}`);
    // robfig/cron's constant-delay schedule: the next run is one interval (whole seconds, at least one) later.
    return Math.max(1000, Math.floor(interval / 1000) * 1000);
  }
  const next = CronExpressionParser.parse(trimmed, { currentDate: now, tz: 'UTC' }).next().getTime();
  return Math.max(0, next - now.getTime());
}

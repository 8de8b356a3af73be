// Captured from the official Temporal dev server (temporal CLI 1.9.1, Server 1.32.0): each spec created as a paused
// schedule through the WorkflowService API, then DescribeSchedule's spec, ListScheduleMatchingTimes over the window,
// or CreateSchedule's INVALID_ARGUMENT message. Jitter is seeded with "<namespace id>-<schedule id>".
import type { ScheduleSpecJson } from './types.js';

export interface UpstreamCase {
  name: string;
  spec: ScheduleSpecJson;
  window?: [string, string];
  error?: string;
  canonical?: ScheduleSpecJson;
  times?: string[];
}

export const UPSTREAM_NAMESPACE_ID = '01a230cf-b618-7a41-9038-40054e690d0c';

/** The schedule id of a case (the jitter seed is UPSTREAM_NAMESPACE_ID + "-" + this). */
export function upstreamScheduleId(name: string): string {
  return `cmp-${name}`;
}

export const UPSTREAM_CASES: UpstreamCase[] = [
  {
    name: 'ny-spring-daily-0230',
    spec: {
      cronString: ['CRON_TZ=America/New_York 30 2 * * *'],
    },
    window: ['2026-03-05T00:00:00Z', '2026-03-11T00:00:00Z'],
    canonical: {
      structuredCalendar: [
        {
          second: [
            {
              step: 1,
            },
          ],
          minute: [
            {
              start: 30,
              end: 30,
              step: 1,
            },
          ],
          hour: [
            {
              start: 2,
              end: 2,
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 31,
              step: 1,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              end: 6,
              step: 1,
            },
          ],
        },
      ],
      timezoneName: 'America/New_York',
    },
    times: [
      '2026-03-05T07:30:00.000Z',
      '2026-03-06T07:30:00.000Z',
      '2026-03-07T07:30:00.000Z',
      '2026-03-09T06:30:00.000Z',
      '2026-03-10T06:30:00.000Z',
    ],
  },
  {
    name: 'ny-fall-daily-0130',
    spec: {
      cronString: ['CRON_TZ=America/New_York 30 1 * * *'],
    },
    window: ['2026-10-30T00:00:00Z', '2026-11-03T00:00:00Z'],
    canonical: {
      structuredCalendar: [
        {
          second: [
            {
              step: 1,
            },
          ],
          minute: [
            {
              start: 30,
              end: 30,
              step: 1,
            },
          ],
          hour: [
            {
              start: 1,
              end: 1,
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 31,
              step: 1,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              end: 6,
              step: 1,
            },
          ],
        },
      ],
      timezoneName: 'America/New_York',
    },
    times: [
      '2026-10-30T05:30:00.000Z',
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ],
  },
  {
    name: 'ny-spring-hourly',
    spec: {
      cronString: ['15,45 * * * *'],
      timezoneName: 'America/New_York',
    },
    window: ['2026-03-08T04:00:00Z', '2026-03-08T09:00:00Z'],
    canonical: {
      structuredCalendar: [
        {
          second: [
            {
              step: 1,
            },
          ],
          minute: [
            {
              start: 15,
              end: 15,
              step: 1,
            },
            {
              start: 45,
              end: 45,
              step: 1,
            },
          ],
          hour: [
            {
              end: 23,
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 31,
              step: 1,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              end: 6,
              step: 1,
            },
          ],
        },
      ],
      timezoneName: 'America/New_York',
    },
    times: [
      '2026-03-08T04:15:00.000Z',
      '2026-03-08T04:45:00.000Z',
      '2026-03-08T05:15:00.000Z',
      '2026-03-08T05:45:00.000Z',
      '2026-03-08T06:15:00.000Z',
      '2026-03-08T06:45:00.000Z',
      '2026-03-08T07:15:00.000Z',
      '2026-03-08T07:45:00.000Z',
      '2026-03-08T08:15:00.000Z',
      '2026-03-08T08:45:00.000Z',
    ],
  },
  {
    name: 'ny-fall-hourly',
    spec: {
      cronString: ['CRON_TZ=America/New_York 15,45 * * * *'],
    },
    window: ['2026-11-01T03:00:00Z', '2026-11-01T08:30:00Z'],
    canonical: {
      structuredCalendar: [
        {
          second: [
            {
              step: 1,
            },
          ],
          minute: [
            {
              start: 15,
              end: 15,
              step: 1,
            },
            {
              start: 45,
              end: 45,
              step: 1,
            },
          ],
          hour: [
            {
              end: 23,
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 31,
              step: 1,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              end: 6,
              step: 1,
            },
          ],
        },
      ],
      timezoneName: 'America/New_York',
    },
    times: [
      '2026-11-01T03:15:00.000Z',
      '2026-11-01T03:45:00.000Z',
      '2026-11-01T04:15:00.000Z',
      '2026-11-01T04:45:00.000Z',
      '2026-11-01T05:15:00.000Z',
      '2026-11-01T05:45:00.000Z',
      '2026-11-01T06:15:00.000Z',
      '2026-11-01T06:45:00.000Z',
      '2026-11-01T07:15:00.000Z',
      '2026-11-01T07:45:00.000Z',
      '2026-11-01T08:15:00.000Z',
    ],
  },
  {
    name: 'ny-fall-everysecond-minute',
    spec: {
      calendar: [
        {
          second: '*/20',
          minute: '59',
          hour: '0-2',
        },
      ],
      timezoneName: 'America/New_York',
    },
    window: ['2026-11-01T03:00:00Z', '2026-11-01T08:30:00Z'],
    canonical: {
      structuredCalendar: [
        {
          second: [
            {
              end: 59,
              step: 20,
            },
          ],
          minute: [
            {
              start: 59,
              end: 59,
              step: 1,
            },
          ],
          hour: [
            {
              end: 2,
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 31,
              step: 1,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              end: 6,
              step: 1,
            },
          ],
        },
      ],
      timezoneName: 'America/New_York',
    },
    times: [
      '2026-11-01T04:59:00.000Z',
      '2026-11-01T04:59:20.000Z',
      '2026-11-01T04:59:40.000Z',
      '2026-11-01T05:59:00.000Z',
      '2026-11-01T05:59:20.000Z',
      '2026-11-01T05:59:40.000Z',
      '2026-11-01T06:59:00.000Z',
      '2026-11-01T06:59:20.000Z',
      '2026-11-01T06:59:40.000Z',
      '2026-11-01T07:59:00.000Z',
      '2026-11-01T07:59:20.000Z',
      '2026-11-01T07:59:40.000Z',
    ],
  },
  {
    name: 'kolkata-calendar',
    spec: {
      calendar: [
        {
          minute: '0,30',
          hour: '9-10',
          dayOfWeek: 'mon-fri',
        },
      ],
      timezoneName: 'Asia/Kolkata',
    },
    window: ['2026-03-06T00:00:00Z', '2026-03-10T00:00:00Z'],
    canonical: {
      structuredCalendar: [
        {
          second: [
            {
              step: 1,
            },
          ],
          minute: [
            {
              step: 1,
            },
            {
              start: 30,
              end: 30,
              step: 1,
            },
          ],
          hour: [
            {
              start: 9,
              end: 10,
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 31,
              step: 1,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              start: 1,
              end: 5,
              step: 1,
            },
          ],
        },
      ],
      timezoneName: 'Asia/Kolkata',
    },
    times: [
      '2026-03-06T03:30:00.000Z',
      '2026-03-06T04:00:00.000Z',
      '2026-03-06T04:30:00.000Z',
      '2026-03-06T05:00:00.000Z',
      '2026-03-09T03:30:00.000Z',
      '2026-03-09T04:00:00.000Z',
      '2026-03-09T04:30:00.000Z',
      '2026-03-09T05:00:00.000Z',
    ],
  },
  {
    name: 'kathmandu-cron7',
    spec: {
      cronString: ['TZ=Asia/Kathmandu 5 */20 6 * * * *'],
    },
    window: ['2026-01-01T00:00:00Z', '2026-01-03T00:00:00Z'],
    canonical: {
      structuredCalendar: [
        {
          second: [
            {
              start: 5,
              end: 5,
              step: 1,
            },
          ],
          minute: [
            {
              end: 59,
              step: 20,
            },
          ],
          hour: [
            {
              start: 6,
              end: 6,
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 31,
              step: 1,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              end: 6,
              step: 1,
            },
          ],
        },
      ],
      timezoneName: 'Asia/Kathmandu',
    },
    times: [
      '2026-01-01T00:15:05.000Z',
      '2026-01-01T00:35:05.000Z',
      '2026-01-01T00:55:05.000Z',
      '2026-01-02T00:15:05.000Z',
      '2026-01-02T00:35:05.000Z',
      '2026-01-02T00:55:05.000Z',
    ],
  },
  {
    name: 'lordhowe-fall',
    spec: {
      cronString: ['CRON_TZ=Australia/Lord_Howe 0,30 1,2 * * *'],
    },
    window: ['2026-04-04T12:00:00Z', '2026-04-05T18:00:00Z'],
    canonical: {
      structuredCalendar: [
        {
          second: [
            {
              step: 1,
            },
          ],
          minute: [
            {
              step: 1,
            },
            {
              start: 30,
              end: 30,
              step: 1,
            },
          ],
          hour: [
            {
              start: 1,
              end: 1,
              step: 1,
            },
            {
              start: 2,
              end: 2,
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 31,
              step: 1,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              end: 6,
              step: 1,
            },
          ],
        },
      ],
      timezoneName: 'Australia/Lord_Howe',
    },
    times: [
      '2026-04-04T14:00:00.000Z',
      '2026-04-04T15:00:00.000Z',
      '2026-04-04T15:30:00.000Z',
      '2026-04-04T16:00:00.000Z',
      '2026-04-05T14:30:00.000Z',
      '2026-04-05T15:00:00.000Z',
      '2026-04-05T15:30:00.000Z',
      '2026-04-05T16:00:00.000Z',
    ],
  },
  {
    name: 'interval-phase-jitter',
    spec: {
      interval: [
        {
          interval: '5400s',
          phase: '344s',
        },
      ],
      jitter: '600s',
    },
    window: ['2026-03-23T12:53:02Z', '2026-03-24T00:00:00Z'],
    canonical: {
      interval: [
        {
          interval: '5400s',
          phase: '344s',
        },
      ],
      jitter: '600s',
    },
    times: [
      '2026-03-23T13:37:21.813Z',
      '2026-03-23T15:11:11.435Z',
      '2026-03-23T16:40:50.414Z',
      '2026-03-23T18:11:37.908Z',
      '2026-03-23T19:43:14.144Z',
      '2026-03-23T21:06:38.100Z',
      '2026-03-23T22:38:06.053Z',
    ],
  },
  {
    name: 'every-phase',
    spec: {
      cronString: ['@every 5h/45m'],
    },
    window: ['2026-01-01T00:00:00Z', '2026-01-03T00:00:00Z'],
    canonical: {
      interval: [
        {
          interval: '18000s',
          phase: '2700s',
        },
      ],
    },
    times: [
      '2026-01-01T04:45:00.000Z',
      '2026-01-01T09:45:00.000Z',
      '2026-01-01T14:45:00.000Z',
      '2026-01-01T19:45:00.000Z',
      '2026-01-02T00:45:00.000Z',
      '2026-01-02T05:45:00.000Z',
      '2026-01-02T10:45:00.000Z',
      '2026-01-02T15:45:00.000Z',
      '2026-01-02T20:45:00.000Z',
    ],
  },
  {
    name: 'every-days',
    spec: {
      cronString: ['@every 3d'],
    },
    window: ['2026-01-01T00:00:00Z', '2026-01-20T00:00:00Z'],
    canonical: {
      interval: [
        {
          interval: '259200s',
        },
      ],
    },
    times: [
      '2026-01-04T00:00:00.000Z',
      '2026-01-07T00:00:00.000Z',
      '2026-01-10T00:00:00.000Z',
      '2026-01-13T00:00:00.000Z',
      '2026-01-16T00:00:00.000Z',
      '2026-01-19T00:00:00.000Z',
    ],
  },
  {
    name: 'weekdays-exclude',
    spec: {
      cronString: ['0 12 * * mon-fri'],
      excludeCalendar: [
        {
          dayOfMonth: '13',
          hour: '12',
        },
      ],
      excludeStructuredCalendar: [
        {
          hour: [
            {
              start: 12,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 3,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
            },
          ],
          dayOfWeek: [
            {
              start: 0,
              end: 6,
            },
          ],
          second: [
            {
              start: 0,
            },
          ],
          minute: [
            {
              start: 0,
            },
          ],
        },
      ],
    },
    window: ['2026-01-31T00:00:00Z', '2026-02-28T00:00:00Z'],
    canonical: {
      structuredCalendar: [
        {
          second: [
            {
              step: 1,
            },
          ],
          minute: [
            {
              step: 1,
            },
          ],
          hour: [
            {
              start: 12,
              end: 12,
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 31,
              step: 1,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              start: 1,
              end: 5,
              step: 1,
            },
          ],
        },
      ],
      excludeStructuredCalendar: [
        {
          second: [
            {
              step: 1,
            },
          ],
          minute: [
            {
              step: 1,
            },
          ],
          hour: [
            {
              start: 12,
              end: 12,
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 3,
              step: 1,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              end: 6,
              step: 1,
            },
          ],
        },
        {
          second: [
            {
              step: 1,
            },
          ],
          minute: [
            {
              step: 1,
            },
          ],
          hour: [
            {
              start: 12,
              end: 12,
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 13,
              end: 13,
              step: 1,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              end: 6,
              step: 1,
            },
          ],
        },
      ],
    },
    times: [
      '2026-02-04T12:00:00.000Z',
      '2026-02-05T12:00:00.000Z',
      '2026-02-06T12:00:00.000Z',
      '2026-02-09T12:00:00.000Z',
      '2026-02-10T12:00:00.000Z',
      '2026-02-11T12:00:00.000Z',
      '2026-02-12T12:00:00.000Z',
      '2026-02-16T12:00:00.000Z',
      '2026-02-17T12:00:00.000Z',
      '2026-02-18T12:00:00.000Z',
      '2026-02-19T12:00:00.000Z',
      '2026-02-20T12:00:00.000Z',
      '2026-02-23T12:00:00.000Z',
      '2026-02-24T12:00:00.000Z',
      '2026-02-25T12:00:00.000Z',
      '2026-02-26T12:00:00.000Z',
      '2026-02-27T12:00:00.000Z',
    ],
  },
  {
    name: 'structured-steps',
    spec: {
      structuredCalendar: [
        {
          second: [
            {
              start: 0,
            },
          ],
          minute: [
            {
              start: 5,
              end: 50,
              step: 15,
            },
          ],
          hour: [
            {
              start: 8,
              end: 20,
              step: 6,
            },
            {
              start: 23,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 31,
              step: 10,
            },
          ],
          month: [
            {
              start: 2,
              end: 12,
              step: 3,
            },
          ],
          dayOfWeek: [
            {
              start: 0,
              end: 6,
            },
          ],
          year: [
            {
              start: 2026,
            },
            {
              start: 2028,
            },
          ],
        },
      ],
    },
    window: ['2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z'],
    canonical: {
      structuredCalendar: [
        {
          second: [
            {
              step: 1,
            },
          ],
          minute: [
            {
              start: 5,
              end: 50,
              step: 15,
            },
          ],
          hour: [
            {
              start: 8,
              end: 20,
              step: 6,
            },
            {
              start: 23,
              end: 23,
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 31,
              step: 10,
            },
          ],
          month: [
            {
              start: 2,
              end: 12,
              step: 3,
            },
          ],
          year: [
            {
              start: 2026,
              end: 2026,
              step: 1,
            },
            {
              start: 2028,
              end: 2028,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              end: 6,
              step: 1,
            },
          ],
        },
      ],
    },
    times: [
      '2026-02-01T08:05:00.000Z',
      '2026-02-01T08:20:00.000Z',
      '2026-02-01T08:35:00.000Z',
      '2026-02-01T08:50:00.000Z',
      '2026-02-01T14:05:00.000Z',
      '2026-02-01T14:20:00.000Z',
      '2026-02-01T14:35:00.000Z',
      '2026-02-01T14:50:00.000Z',
      '2026-02-01T20:05:00.000Z',
      '2026-02-01T20:20:00.000Z',
      '2026-02-01T20:35:00.000Z',
      '2026-02-01T20:50:00.000Z',
      '2026-02-01T23:05:00.000Z',
      '2026-02-01T23:20:00.000Z',
      '2026-02-01T23:35:00.000Z',
      '2026-02-01T23:50:00.000Z',
      '2026-02-11T08:05:00.000Z',
      '2026-02-11T08:20:00.000Z',
      '2026-02-11T08:35:00.000Z',
      '2026-02-11T08:50:00.000Z',
      '2026-02-11T14:05:00.000Z',
      '2026-02-11T14:20:00.000Z',
      '2026-02-11T14:35:00.000Z',
      '2026-02-11T14:50:00.000Z',
      '2026-02-11T20:05:00.000Z',
      '2026-02-11T20:20:00.000Z',
      '2026-02-11T20:35:00.000Z',
      '2026-02-11T20:50:00.000Z',
      '2026-02-11T23:05:00.000Z',
      '2026-02-11T23:20:00.000Z',
      '2026-02-11T23:35:00.000Z',
      '2026-02-11T23:50:00.000Z',
      '2026-02-21T08:05:00.000Z',
      '2026-02-21T08:20:00.000Z',
      '2026-02-21T08:35:00.000Z',
      '2026-02-21T08:50:00.000Z',
      '2026-02-21T14:05:00.000Z',
      '2026-02-21T14:20:00.000Z',
      '2026-02-21T14:35:00.000Z',
      '2026-02-21T14:50:00.000Z',
      '2026-02-21T20:05:00.000Z',
      '2026-02-21T20:20:00.000Z',
      '2026-02-21T20:35:00.000Z',
      '2026-02-21T20:50:00.000Z',
      '2026-02-21T23:05:00.000Z',
      '2026-02-21T23:20:00.000Z',
      '2026-02-21T23:35:00.000Z',
      '2026-02-21T23:50:00.000Z',
      '2026-05-01T08:05:00.000Z',
      '2026-05-01T08:20:00.000Z',
      '2026-05-01T08:35:00.000Z',
      '2026-05-01T08:50:00.000Z',
      '2026-05-01T14:05:00.000Z',
      '2026-05-01T14:20:00.000Z',
      '2026-05-01T14:35:00.000Z',
      '2026-05-01T14:50:00.000Z',
      '2026-05-01T20:05:00.000Z',
      '2026-05-01T20:20:00.000Z',
      '2026-05-01T20:35:00.000Z',
      '2026-05-01T20:50:00.000Z',
      '2026-05-01T23:05:00.000Z',
      '2026-05-01T23:20:00.000Z',
      '2026-05-01T23:35:00.000Z',
      '2026-05-01T23:50:00.000Z',
      '2026-05-11T08:05:00.000Z',
      '2026-05-11T08:20:00.000Z',
      '2026-05-11T08:35:00.000Z',
      '2026-05-11T08:50:00.000Z',
      '2026-05-11T14:05:00.000Z',
      '2026-05-11T14:20:00.000Z',
      '2026-05-11T14:35:00.000Z',
      '2026-05-11T14:50:00.000Z',
      '2026-05-11T20:05:00.000Z',
      '2026-05-11T20:20:00.000Z',
      '2026-05-11T20:35:00.000Z',
      '2026-05-11T20:50:00.000Z',
      '2026-05-11T23:05:00.000Z',
      '2026-05-11T23:20:00.000Z',
      '2026-05-11T23:35:00.000Z',
      '2026-05-11T23:50:00.000Z',
      '2026-05-21T08:05:00.000Z',
      '2026-05-21T08:20:00.000Z',
      '2026-05-21T08:35:00.000Z',
      '2026-05-21T08:50:00.000Z',
      '2026-05-21T14:05:00.000Z',
      '2026-05-21T14:20:00.000Z',
      '2026-05-21T14:35:00.000Z',
      '2026-05-21T14:50:00.000Z',
      '2026-05-21T20:05:00.000Z',
      '2026-05-21T20:20:00.000Z',
      '2026-05-21T20:35:00.000Z',
      '2026-05-21T20:50:00.000Z',
      '2026-05-21T23:05:00.000Z',
      '2026-05-21T23:20:00.000Z',
      '2026-05-21T23:35:00.000Z',
      '2026-05-21T23:50:00.000Z',
      '2026-05-31T08:05:00.000Z',
      '2026-05-31T08:20:00.000Z',
      '2026-05-31T08:35:00.000Z',
      '2026-05-31T08:50:00.000Z',
      '2026-05-31T14:05:00.000Z',
      '2026-05-31T14:20:00.000Z',
      '2026-05-31T14:35:00.000Z',
      '2026-05-31T14:50:00.000Z',
      '2026-05-31T20:05:00.000Z',
      '2026-05-31T20:20:00.000Z',
      '2026-05-31T20:35:00.000Z',
      '2026-05-31T20:50:00.000Z',
      '2026-05-31T23:05:00.000Z',
      '2026-05-31T23:20:00.000Z',
      '2026-05-31T23:35:00.000Z',
      '2026-05-31T23:50:00.000Z',
    ],
  },
  {
    name: 'structured-empty-hour',
    spec: {
      structuredCalendar: [
        {
          second: [
            {
              start: 0,
            },
          ],
          minute: [
            {
              start: 0,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 31,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
            },
          ],
          dayOfWeek: [
            {
              start: 0,
              end: 6,
            },
          ],
        },
      ],
    },
    window: ['2026-01-01T00:00:00Z', '2026-01-03T00:00:00Z'],
    canonical: {
      structuredCalendar: [
        {
          second: [
            {
              step: 1,
            },
          ],
          minute: [
            {
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 31,
              step: 1,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              end: 6,
              step: 1,
            },
          ],
        },
      ],
    },
    times: [],
  },
  {
    name: 'dom-and-dow',
    spec: {
      cronString: ['0 9 13 * fri'],
    },
    window: ['2026-01-01T00:00:00Z', '2027-12-31T00:00:00Z'],
    canonical: {
      structuredCalendar: [
        {
          second: [
            {
              step: 1,
            },
          ],
          minute: [
            {
              step: 1,
            },
          ],
          hour: [
            {
              start: 9,
              end: 9,
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 13,
              end: 13,
              step: 1,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              start: 5,
              end: 5,
              step: 1,
            },
          ],
        },
      ],
    },
    times: [
      '2026-02-13T09:00:00.000Z',
      '2026-03-13T09:00:00.000Z',
      '2026-11-13T09:00:00.000Z',
      '2027-08-13T09:00:00.000Z',
    ],
  },
  {
    name: 'sunday-seven',
    spec: {
      calendar: [
        {
          dayOfWeek: '5-7',
          hour: '6',
        },
        {
          dayOfWeek: '1-7/2',
          hour: '7',
          comment: 'odd',
        },
      ],
    },
    window: ['2026-01-01T00:00:00Z', '2026-01-15T00:00:00Z'],
    canonical: {
      structuredCalendar: [
        {
          second: [
            {
              step: 1,
            },
          ],
          minute: [
            {
              step: 1,
            },
          ],
          hour: [
            {
              start: 6,
              end: 6,
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 31,
              step: 1,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              step: 1,
            },
            {
              start: 5,
              end: 6,
              step: 1,
            },
          ],
        },
        {
          second: [
            {
              step: 1,
            },
          ],
          minute: [
            {
              step: 1,
            },
          ],
          hour: [
            {
              start: 7,
              end: 7,
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 31,
              step: 1,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              step: 1,
            },
            {
              start: 1,
              end: 6,
              step: 2,
            },
          ],
          comment: 'odd',
        },
      ],
    },
    times: [
      '2026-01-02T06:00:00.000Z',
      '2026-01-02T07:00:00.000Z',
      '2026-01-03T06:00:00.000Z',
      '2026-01-04T06:00:00.000Z',
      '2026-01-04T07:00:00.000Z',
      '2026-01-05T07:00:00.000Z',
      '2026-01-07T07:00:00.000Z',
      '2026-01-09T06:00:00.000Z',
      '2026-01-09T07:00:00.000Z',
      '2026-01-10T06:00:00.000Z',
      '2026-01-11T06:00:00.000Z',
      '2026-01-11T07:00:00.000Z',
      '2026-01-12T07:00:00.000Z',
      '2026-01-14T07:00:00.000Z',
    ],
  },
  {
    name: 'start-end-jitter',
    spec: {
      interval: [
        {
          interval: '3600s',
        },
      ],
      startTime: '2026-01-01T05:00:00.456Z',
      endTime: '2026-01-01T12:00:00Z',
      jitter: '1800s',
    },
    window: ['2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'],
    canonical: {
      interval: [
        {
          interval: '3600s',
        },
      ],
      startTime: '2026-01-01T05:00:00.456Z',
      endTime: '2026-01-01T12:00:00Z',
      jitter: '1800s',
    },
    times: [
      '2026-01-01T05:00:39.739Z',
      '2026-01-01T06:04:22.396Z',
      '2026-01-01T07:26:06.470Z',
      '2026-01-01T08:20:42.090Z',
      '2026-01-01T09:01:46.538Z',
      '2026-01-01T10:06:00.961Z',
      '2026-01-01T11:22:57.144Z',
      '2026-01-01T12:01:37.596Z',
    ],
  },
  {
    name: 'descriptors',
    spec: {
      cronString: ['@weekly', '@monthly # first of month'],
    },
    window: ['2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z'],
    canonical: {
      structuredCalendar: [
        {
          second: [
            {
              step: 1,
            },
          ],
          minute: [
            {
              step: 1,
            },
          ],
          hour: [
            {
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 31,
              step: 1,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              step: 1,
            },
          ],
        },
        {
          second: [
            {
              step: 1,
            },
          ],
          minute: [
            {
              step: 1,
            },
          ],
          hour: [
            {
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 1,
              step: 1,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              end: 6,
              step: 1,
            },
          ],
          comment: 'first of month',
        },
      ],
    },
    times: [
      '2026-01-04T00:00:00.000Z',
      '2026-01-11T00:00:00.000Z',
      '2026-01-18T00:00:00.000Z',
      '2026-01-25T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z',
      '2026-02-08T00:00:00.000Z',
      '2026-02-15T00:00:00.000Z',
      '2026-02-22T00:00:00.000Z',
      '2026-03-01T00:00:00.000Z',
    ],
  },
  {
    name: 'months-names',
    spec: {
      calendar: [
        {
          month: 'Sept,dec',
          dayOfMonth: 'L1',
          hour: '1',
        },
      ],
    },
    error: 'Invalid schedule spec: DayOfMonth is not in range [1-31]',
  },
  {
    name: 'months-names-ok',
    spec: {
      calendar: [
        {
          month: 'Sept,dec,jan-Feb/1',
          dayOfMonth: '1/15',
          hour: '1',
          year: '2026-2027',
        },
      ],
    },
    window: ['2025-12-01T00:00:00Z', '2027-03-01T00:00:00Z'],
    canonical: {
      structuredCalendar: [
        {
          second: [
            {
              step: 1,
            },
          ],
          minute: [
            {
              step: 1,
            },
          ],
          hour: [
            {
              start: 1,
              end: 1,
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 31,
              step: 15,
            },
          ],
          month: [
            {
              start: 9,
              end: 9,
              step: 1,
            },
            {
              start: 12,
              end: 12,
              step: 1,
            },
            {
              start: 1,
              end: 2,
              step: 1,
            },
          ],
          year: [
            {
              start: 2026,
              end: 2027,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              end: 6,
              step: 1,
            },
          ],
        },
      ],
    },
    times: [
      '2026-01-01T01:00:00.000Z',
      '2026-01-16T01:00:00.000Z',
      '2026-01-31T01:00:00.000Z',
      '2026-02-01T01:00:00.000Z',
      '2026-02-16T01:00:00.000Z',
      '2026-09-01T01:00:00.000Z',
      '2026-09-16T01:00:00.000Z',
      '2026-12-01T01:00:00.000Z',
      '2026-12-16T01:00:00.000Z',
      '2026-12-31T01:00:00.000Z',
      '2027-01-01T01:00:00.000Z',
      '2027-01-16T01:00:00.000Z',
      '2027-01-31T01:00:00.000Z',
      '2027-02-01T01:00:00.000Z',
      '2027-02-16T01:00:00.000Z',
    ],
  },
  {
    name: 'err-cron-fields',
    spec: {
      cronString: ['* * *'],
    },
    error: 'Invalid schedule spec: CronString does not have 5-7 fields',
  },
  {
    name: 'err-cron-range',
    spec: {
      cronString: ['61 * * * *'],
    },
    error: 'Invalid schedule spec: Minute is not in range [0-59]',
  },
  {
    name: 'err-cron-year',
    spec: {
      cronString: ['0 1 2 3 4 1999'],
    },
    error: 'Invalid schedule spec: Year is not in range [2000-2100]',
  },
  {
    name: 'err-cron-tz',
    spec: {
      cronString: ['CRON_TZ=Mars/Olympus 0 * * * *'],
    },
    error: 'Invalid schedule spec: unknown time zone Mars/Olympus',
  },
  {
    name: 'err-cron-tz-missing',
    spec: {
      cronString: ['CRON_TZ=UTC'],
    },
    error: 'Invalid schedule spec: CronString has time zone but missing fields',
  },
  {
    name: 'err-tz',
    spec: {
      interval: [
        {
          interval: '60s',
        },
      ],
      timezoneName: 'America/Nowhere',
    },
    error: 'Invalid schedule spec: unknown time zone America/Nowhere',
  },
  {
    name: 'err-tz-lower',
    spec: {
      interval: [
        {
          interval: '60s',
        },
      ],
      timezoneName: 'america/new_york',
    },
    error: 'Invalid schedule spec: unknown time zone america/new_york',
  },
  {
    name: 'err-tz-conflict',
    spec: {
      cronString: ['CRON_TZ=Europe/London 0 * * * *'],
      timezoneName: 'America/New_York',
    },
    error: 'Invalid schedule spec: conflicting timezone names',
  },
  {
    name: 'err-tz-conflict2',
    spec: {
      cronString: ['CRON_TZ=Europe/London 0 * * * *', '0 * * * *'],
    },
    error: 'Invalid schedule spec: conflicting timezone names',
  },
  {
    name: 'err-interval-zero',
    spec: {
      interval: [
        {
          interval: '0s',
        },
      ],
    },
    error: 'Invalid schedule spec: interval is too small',
  },
  {
    name: 'err-interval-small',
    spec: {
      interval: [
        {
          interval: '0.5s',
        },
      ],
    },
    error: 'Invalid schedule spec: interval is too small',
  },
  {
    name: 'err-interval-negative',
    spec: {
      interval: [
        {
          interval: '-60s',
        },
      ],
    },
    error: 'Invalid schedule spec: interval is too small',
  },
  {
    name: 'err-phase-big',
    spec: {
      interval: [
        {
          interval: '60s',
          phase: '60s',
        },
      ],
    },
    error: 'Invalid schedule spec: phase cannot be greater than Interval',
  },
  {
    name: 'err-phase-negative',
    spec: {
      interval: [
        {
          interval: '60s',
          phase: '-1s',
        },
      ],
    },
    error: 'Invalid schedule spec: phase is negative',
  },
  {
    name: 'err-every-bad',
    spec: {
      cronString: ['@every 5x'],
    },
    error: 'Invalid schedule spec: time: unknown unit "x" in duration "5x"',
  },
  {
    name: 'err-every-nounit',
    spec: {
      cronString: ['@every 5'],
    },
    error: 'Invalid schedule spec: time: missing unit in duration "5"',
  },
  {
    name: 'err-every-missing',
    spec: {
      cronString: ['@every'],
    },
    error: 'Invalid schedule spec: CronString does not have interval after @every',
  },
  {
    name: 'err-structured',
    spec: {
      structuredCalendar: [
        {
          second: [
            {
              start: 60,
            },
          ],
          hour: [
            {
              start: 16,
              end: 12,
            },
          ],
          dayOfWeek: [
            {
              start: 7,
            },
          ],
          minute: [
            {
              start: 1,
              step: -2,
            },
          ],
          year: [
            {
              start: 1999,
            },
          ],
        },
      ],
    },
    error:
      'Invalid schedule spec: invalid calendar spec: Second Start is not in range [0-59], Minute has invalid Step, Hour End is before Start or not in range [0-23], Year Start is not in range [2000-2100], DayOfWeek Start is not in range [0-6]',
  },
  {
    name: 'err-calendar-multi',
    spec: {
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
    },
    error:
      'Invalid schedule spec: Second has too many slashes, Minute missing step value, Hour has too many dashes, DayOfWeek End is before Start or not in range [0-7], DayOfMonth is not in range [1-31], Month is not in range [1-12], strconv.Atoi: parsing "x": invalid syntax',
  },
  {
    name: 'err-comment',
    spec: {
      calendar: [
        {
          comment:
            'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
        },
      ],
    },
    canonical: {
      structuredCalendar: [
        {
          second: [
            {
              step: 1,
            },
          ],
          minute: [
            {
              step: 1,
            },
          ],
          hour: [
            {
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 31,
              step: 1,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              end: 6,
              step: 1,
            },
          ],
          comment:
            'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
        },
      ],
    },
  },
  {
    name: 'err-step-syntax',
    spec: {
      cronString: ['*/x * * * *'],
    },
    error: 'Invalid schedule spec: strconv.Atoi: parsing "x": invalid syntax',
  },
  {
    name: 'every-big-phase-error',
    spec: {
      cronString: ['@every 1h/2h'],
    },
    error: 'Invalid schedule spec: phase cannot be greater than Interval',
  },
  {
    name: 'berlin-fall',
    spec: {
      cronString: ['CRON_TZ=Europe/Berlin 30 2 * * *', 'CRON_TZ=Europe/Berlin 0 * 25 10 *'],
    },
    window: ['2026-10-24T12:00:00Z', '2026-10-26T12:00:00Z'],
    canonical: {
      structuredCalendar: [
        {
          second: [
            {
              step: 1,
            },
          ],
          minute: [
            {
              start: 30,
              end: 30,
              step: 1,
            },
          ],
          hour: [
            {
              start: 2,
              end: 2,
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 31,
              step: 1,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              end: 6,
              step: 1,
            },
          ],
        },
        {
          second: [
            {
              step: 1,
            },
          ],
          minute: [
            {
              step: 1,
            },
          ],
          hour: [
            {
              end: 23,
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 25,
              end: 25,
              step: 1,
            },
          ],
          month: [
            {
              start: 10,
              end: 10,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              end: 6,
              step: 1,
            },
          ],
        },
      ],
      timezoneName: 'Europe/Berlin',
    },
    times: [
      '2026-10-24T22:00:00.000Z',
      '2026-10-24T23:00:00.000Z',
      '2026-10-25T00:00:00.000Z',
      '2026-10-25T01:30:00.000Z',
      '2026-10-25T02:00:00.000Z',
      '2026-10-25T03:00:00.000Z',
      '2026-10-25T04:00:00.000Z',
      '2026-10-25T05:00:00.000Z',
      '2026-10-25T06:00:00.000Z',
      '2026-10-25T07:00:00.000Z',
      '2026-10-25T08:00:00.000Z',
      '2026-10-25T09:00:00.000Z',
      '2026-10-25T10:00:00.000Z',
      '2026-10-25T11:00:00.000Z',
      '2026-10-25T12:00:00.000Z',
      '2026-10-25T13:00:00.000Z',
      '2026-10-25T14:00:00.000Z',
      '2026-10-25T15:00:00.000Z',
      '2026-10-25T16:00:00.000Z',
      '2026-10-25T17:00:00.000Z',
      '2026-10-25T18:00:00.000Z',
      '2026-10-25T19:00:00.000Z',
      '2026-10-25T20:00:00.000Z',
      '2026-10-25T21:00:00.000Z',
      '2026-10-25T22:00:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ],
  },
  {
    name: 'berlin-spring',
    spec: {
      cronString: ['CRON_TZ=Europe/Berlin 30 2 * * *'],
    },
    window: ['2026-03-27T12:00:00Z', '2026-03-31T12:00:00Z'],
    canonical: {
      structuredCalendar: [
        {
          second: [
            {
              step: 1,
            },
          ],
          minute: [
            {
              start: 30,
              end: 30,
              step: 1,
            },
          ],
          hour: [
            {
              start: 2,
              end: 2,
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 31,
              step: 1,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              end: 6,
              step: 1,
            },
          ],
        },
      ],
      timezoneName: 'Europe/Berlin',
    },
    times: ['2026-03-28T01:30:00.000Z', '2026-03-30T00:30:00.000Z', '2026-03-31T00:30:00.000Z'],
  },
  {
    name: 'cron-hash-comment',
    spec: {
      cronString: ['0 0 * * 5#3'],
    },
    window: ['2026-01-01T00:00:00Z', '2026-01-20T00:00:00Z'],
    canonical: {
      structuredCalendar: [
        {
          second: [
            {
              step: 1,
            },
          ],
          minute: [
            {
              step: 1,
            },
          ],
          hour: [
            {
              step: 1,
            },
          ],
          dayOfMonth: [
            {
              start: 1,
              end: 31,
              step: 1,
            },
          ],
          month: [
            {
              start: 1,
              end: 12,
              step: 1,
            },
          ],
          dayOfWeek: [
            {
              start: 5,
              end: 5,
              step: 1,
            },
          ],
          comment: '3',
        },
      ],
    },
    times: ['2026-01-02T00:00:00.000Z', '2026-01-09T00:00:00.000Z', '2026-01-16T00:00:00.000Z'],
  },
  {
    name: 'err-exclude-unvalidated',
    spec: {
      interval: [
        {
          interval: '3600s',
        },
      ],
      excludeStructuredCalendar: [
        {
          hour: [
            {
              start: 30,
            },
          ],
          second: [
            {
              start: 0,
              end: 70,
            },
          ],
        },
      ],
    },
    window: ['2026-01-01T00:00:00Z', '2026-01-01T03:00:00Z'],
    canonical: {
      interval: [
        {
          interval: '3600s',
        },
      ],
      excludeStructuredCalendar: [
        {
          second: [
            {
              end: 70,
              step: 1,
            },
          ],
          hour: [
            {
              start: 30,
              end: 30,
              step: 1,
            },
          ],
        },
      ],
    },
    times: ['2026-01-01T01:00:00.000Z', '2026-01-01T02:00:00.000Z', '2026-01-01T03:00:00.000Z'],
  },
  {
    name: 'sub-second-times',
    spec: {
      interval: [
        {
          interval: '1.5s',
          phase: '0.25s',
        },
      ],
      startTime: '2026-01-01T00:00:00.123Z',
      jitter: '0.5s',
    },
    window: ['2026-01-01T00:00:00Z', '2026-01-01T00:00:05Z'],
    canonical: {
      interval: [
        {
          interval: '1.500s',
          phase: '0.250s',
        },
      ],
      startTime: '2026-01-01T00:00:00.123Z',
      jitter: '0.500s',
    },
    times: [
      '2026-01-01T00:00:01.356Z',
      '2026-01-01T00:00:02.018Z',
      '2026-01-01T00:00:03.104Z',
      '2026-01-01T00:00:04.172Z',
    ],
  },
];

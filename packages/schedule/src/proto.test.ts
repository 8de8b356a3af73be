import { describe, expect, it } from '@jest/globals';
import { ScheduleSpec } from '@tempora/proto/schedule';
import { canonicalSpec, compileSpec } from './index.js';
import { scheduleSpecFromJson, scheduleSpecToJson } from './proto.js';

describe('ts-proto ScheduleSpec <-> proto3 JSON', () => {
  it('converts both ways, leaving defaults out', () => {
    const message = ScheduleSpec.fromPartial({
      cronString: ['CRON_TZ=Asia/Kolkata 0 9 * * mon-fri'],
      interval: [{ interval: { seconds: 5400, nanos: 0 }, phase: { seconds: 344, nanos: 500_000_000 } }],
      structuredCalendar: [{ hour: [{ start: 5, end: 0, step: 0 }], comment: 'x' }],
      excludeCalendar: [{ dayOfWeek: 'sat,sun', hour: '*' }],
      startTime: new Date('2026-01-01T00:00:00.250Z'),
      jitter: { seconds: 30, nanos: 0 },
    });
    const json = scheduleSpecToJson(message);
    expect(json).toEqual({
      cronString: ['CRON_TZ=Asia/Kolkata 0 9 * * mon-fri'],
      interval: [{ interval: '5400s', phase: '344.500s' }],
      structuredCalendar: [{ hour: [{ start: 5 }], comment: 'x' }],
      excludeCalendar: [{ dayOfWeek: 'sat,sun', hour: '*' }],
      startTime: '2026-01-01T00:00:00.250Z',
      jitter: '30s',
    });
    expect(ScheduleSpec.fromPartial(scheduleSpecFromJson(json))).toEqual(message);
    // What DescribeSchedule returns, as a message.
    const described = scheduleSpecFromJson(canonicalSpec(compileSpec(json)));
    expect(described.cronString).toEqual([]);
    expect(described.timezoneName).toBe('Asia/Kolkata');
    expect(described.structuredCalendar).toHaveLength(2);
    expect(described.structuredCalendar[0]!.hour).toEqual([{ start: 5, end: 5, step: 1 }]);
  });
});

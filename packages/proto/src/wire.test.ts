// encodeMessage reuses one writer between top-level encodes: every message must still get exactly the bytes a fresh
// writer gives, after smaller and larger ones, after one too large to keep, and after an encode that threw.
import { describe, expect, it } from '@jest/globals';
import { History, HistoryEvent } from './history.js';
import { EventType } from './enums.js';
import { encodeMessage, encodeToBuffer } from './wire.js';

function history(events: number, inputBytes: number): History {
  return History.fromPartial({
    events: Array.from({ length: events }, (_, i) => ({
      eventId: i + 1,
      eventTime: new Date(1_700_000_000_000 + i),
      eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
      workflowExecutionStartedEventAttributes: {
        workflowType: { name: `type-${i}` },
        input: { payloads: [{ data: Buffer.alloc(inputBytes, i % 251) }] },
      },
    })),
  });
}

const fresh = (message: History) => History.encode(message).finish();

describe('encodeMessage', () => {
  it('gives the bytes of a fresh writer for messages of every size, in any order', () => {
    // Small, large (the writer grows), small again (a longer buffer than needed), past the kept size, small.
    for (const message of [history(1, 10), history(20, 2_000), history(2, 5), history(3, 100_000), history(1, 1)]) {
      const bytes = encodeMessage(History, message);
      expect(Buffer.from(bytes).equals(Buffer.from(fresh(message)))).toBe(true);
      expect(History.decode(bytes)).toEqual(message);
    }
  });

  it('hands out bytes of their own, which a later encode does not overwrite', () => {
    const first = encodeMessage(History, history(2, 50));
    const copy = Buffer.from(first);
    encodeMessage(History, history(2, 60));
    expect(Buffer.from(first).equals(copy)).toBe(true);
  });

  it('encodes correctly after an encode that threw half-way', () => {
    const broken = { events: [HistoryEvent.fromPartial({ eventId: 1 }), { eventId: 2 } as HistoryEvent] };
    expect(() => encodeMessage(History, broken)).toThrow();
    const message = history(3, 30);
    expect(Buffer.from(encodeMessage(History, message)).equals(Buffer.from(fresh(message)))).toBe(true);
  });

  it('gives encodeToBuffer the same bytes as a Buffer', () => {
    const message = history(2, 40);
    const buffer = encodeToBuffer(History, message);
    expect(Buffer.isBuffer(buffer)).toBe(true);
    expect(buffer.equals(Buffer.from(fresh(message)))).toBe(true);
  });
});

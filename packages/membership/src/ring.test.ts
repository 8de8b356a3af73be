import { describe, expect, it } from '@jest/globals';
import { HashRing } from './ring.js';

const member = (identity: string) => ({ identity });
const keys = Array.from({ length: 1000 }, (_, i) => `shard-${i + 1}`);

describe('HashRing', () => {
  it('has no owner without members', () => {
    expect(new HashRing([]).lookup('shard-1')).toBeUndefined();
  });

  it('gives a lone member every key', () => {
    const ring = new HashRing([member('a')]);
    expect(new Set(keys.map((k) => ring.lookup(k)!.identity))).toEqual(new Set(['a']));
  });

  it('gives every process the same owner for a key, whatever the order members were listed in', () => {
    const a = new HashRing([member('a'), member('b'), member('c')]);
    const b = new HashRing([member('c'), member('a'), member('b')]);
    expect(keys.map((k) => a.lookup(k)!.identity)).toEqual(keys.map((k) => b.lookup(k)!.identity));
  });

  it('spreads keys over members roughly evenly', () => {
    const ring = new HashRing([member('history-1'), member('history-2'), member('history-3')]);
    const counts = new Map<string, number>();
    for (const key of keys) counts.set(ring.lookup(key)!.identity, (counts.get(ring.lookup(key)!.identity) ?? 0) + 1);
    for (const count of counts.values()) expect(count).toBeGreaterThan(200);
    expect(counts.size).toBe(3);
  });

  it('moves only the keys the new member takes when one joins', () => {
    const before = new HashRing([member('a'), member('b')]);
    const after = new HashRing([member('a'), member('b'), member('c')]);
    for (const key of keys) {
      const owner = after.lookup(key)!.identity;
      if (owner !== 'c') expect(owner).toBe(before.lookup(key)!.identity);
    }
  });
});

// Every case the official dev server answered (upstream.test-fixture.ts): same canonical spec, same matching times
// (jitter included), same INVALID_ARGUMENT message.
import { describe, expect, it } from '@jest/globals';
import { canonicalSpec, compileSpec, matchingTimes } from './index.js';
import { UPSTREAM_CASES, UPSTREAM_NAMESPACE_ID, upstreamScheduleId } from './upstream.test-fixture.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('against the official dev server', () => {
  for (const c of UPSTREAM_CASES) {
    it(c.name, () => {
      if (c.error !== undefined) {
        expect(() => compileSpec(c.spec)).toThrow(c.error);
        return;
      }
      const compiled = compileSpec(c.spec);
      expect(canonicalSpec(compiled)).toEqual(c.canonical);
      if (c.window) {
        const seed = `${UPSTREAM_NAMESPACE_ID}-${upstreamScheduleId(c.name)}`;
        const times = matchingTimes(compiled, Date.parse(c.window[0]), Date.parse(c.window[1]), seed).map(iso);
        expect(times).toEqual(c.times);
      }
    });
  }
});

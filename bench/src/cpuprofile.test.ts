// The .cpuprofile reader on a tiny synthetic profile: self time per function, the window, idle, file:line.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProfileSummary, readCpuProfile, summarizeProfiles, type CpuProfile } from './cpuprofile.js';

const frame = (functionName: string, url = '', lineNumber = -1, columnNumber = -1) => ({
  functionName,
  url,
  lineNumber,
  columnNumber,
});

// root -> main -> encode; main -> (anonymous) in the same file; idle and GC pseudo-frames. Node 5 is `encode` again
// on another call path: its time adds to node 3's.
const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)') },
    { id: 2, callFrame: frame('main', 'file:///repo/services/history/dist/shard.js', 9, 2) },
    { id: 3, callFrame: frame('encode', 'file:///repo/packages/proto/dist/codec.js', 41, 10) },
    { id: 4, callFrame: frame('(idle)') },
    { id: 5, callFrame: frame('encode', 'file:///repo/packages/proto/dist/codec.js', 41, 10) },
    { id: 6, callFrame: frame('', 'file:///repo/services/history/dist/shard.js', 99, 0) },
    { id: 7, callFrame: frame('(garbage collector)') },
  ],
  startTime: 1_000_000,
  // Sample times: 1_000_100, 1_001_100, 1_003_100, 1_004_100, 1_004_600, 1_005_600, 1_007_600; endTime 1_008_000.
  samples: [2, 3, 4, 5, 6, 7, 3],
  timeDeltas: [100, 1000, 2000, 1000, 500, 1000, 2000],
  endTime: 1_008_000,
};

describe('cpuprofile reader', () => {
  it('gives each sample the time until the next one and sums a function over its call paths', () => {
    const summary = summarizeProfiles([PROFILE], { baseDir: '/repo' });
    // main 1 ms, encode 2 + 0.5 + 0.4 (the last sample, until endTime), idle 1, anonymous 1, GC 2.
    expect(summary.totalMs).toBeCloseTo(7.9);
    expect(summary.idleMs).toBeCloseTo(1);
    expect(summary.top.map((f) => [f.name, f.location, +f.selfMs.toFixed(3)])).toEqual([
      ['encode', 'packages/proto/dist/codec.js:42', 2.9],
      ['(garbage collector)', '', 2],
      ['main', 'services/history/dist/shard.js:10', 1],
      ['(anonymous)', 'services/history/dist/shard.js:100', 1],
    ]);
    // Percent of busy time (6.9 ms: idle is left out).
    expect(summary.top[0].percent).toBeCloseTo((2.9 / 6.9) * 100);
    expect(summarizeProfiles([PROFILE], { limit: 2 }).top).toHaveLength(2);
  });

  it('keeps only samples inside the window, and sums several profiles', () => {
    const window = { from: 1_001_000, to: 1_004_100 };
    const summary = summarizeProfiles([PROFILE, PROFILE], { window, baseDir: '/repo' });
    // Samples at 1_001_100 (encode 2 ms), 1_003_100 (idle 1 ms), 1_004_100 (encode 0.5 ms), twice.
    expect(summary.totalMs).toBeCloseTo(7);
    expect(summary.idleMs).toBeCloseTo(2);
    expect(summary.top).toEqual([
      { name: 'encode', location: 'packages/proto/dist/codec.js:42', selfMs: 5, percent: 100 },
    ]);
    expect(formatProfileSummary(summary)).toContain('5.0 ms 100.0%  encode  packages/proto/dist/codec.js:42');
  });

  it('reads a profile file and rejects what is not one, or a sample naming a missing node', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-cpuprofile-'));
    try {
      const good = join(dir, 'a.cpuprofile');
      writeFileSync(good, JSON.stringify(PROFILE));
      expect(readCpuProfile(good).samples).toEqual(PROFILE.samples);
      const bad = join(dir, 'b.cpuprofile');
      writeFileSync(bad, JSON.stringify({ nodes: [] }));
      expect(() => readCpuProfile(bad)).toThrow(/not a V8 CPU profile/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => summarizeProfiles([{ ...PROFILE, samples: [2, 42] }])).toThrow(/names node 42/);
  });
});

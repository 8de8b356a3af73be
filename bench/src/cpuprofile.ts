// Self time per function from V8 .cpuprofile files (what `node --cpu-prof` writes).
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts of the .cpuprofile JSON (Chrome DevTools Profiler.Profile) that self time needs. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  }[];
  /** Microseconds on the monotonic clock. */
  startTime: number;
  endTime: number;
  /** The node on top of the stack at each sample. */
  samples: number[];
  /** Microseconds from the previous sample (the first: from startTime). */
  timeDeltas: number[];
}

export interface FunctionCost {
  name: string;
  /** file:line (1-based), or '' for V8's pseudo-frames such as (garbage collector). */
  location: string;
  selfMs: number;
  /** Share of the busy time: every sampled ms except (idle). */
  percent: number;
}

export interface ProfileSummary {
  /** Sampled ms in the window, idle included. */
  totalMs: number;
  idleMs: number;
  top: FunctionCost[];
}

/** Monotonic-clock microseconds; samples outside [from, to] are left out (the warm-up, start and shutdown). */
export interface Window {
  from: number;
  to: number;
}

function location(url: string, lineNumber: number, baseDir: string): string {
  if (!url) return '';
  const path = url.startsWith('file://') ? relative(baseDir, fileURLToPath(url)) : url;
  return `${path}:${lineNumber + 1}`;
}

/**
 * Top `limit` functions by self time over one or more profiles (e.g. a process's threads). A sample lasts until the
 * next one (the last until endTime), as DevTools counts it; a function is its name and source position, summed over
 * every call path it appears in. Paths are shown relative to `baseDir`.
 */
export function summarizeProfiles(
  profiles: readonly CpuProfile[],
  { limit = 10, window, baseDir = process.cwd() }: { limit?: number; window?: Window; baseDir?: string } = {},
): ProfileSummary {
  const costs = new Map<string, { name: string; location: string; selfUs: number }>();
  let totalUs = 0;
  let idleUs = 0;
  for (const profile of profiles) {
    const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
    let timestamp = profile.startTime;
    const timestamps = profile.timeDeltas.map((delta) => (timestamp += delta));
    for (const [i, nodeId] of profile.samples.entries()) {
      const at = timestamps[i];
      if (window && (at < window.from || at > window.to)) continue;
      const durationUs = Math.max(0, (timestamps[i + 1] ?? profile.endTime) - at);
      const frame = nodes.get(nodeId);
      if (!frame) throw new Error(`profile sample ${i} names node ${nodeId}, which the profile does not have`);
      totalUs += durationUs;
      if (frame.functionName === '(idle)') {
        idleUs += durationUs;
        continue;
      }
      const name = frame.functionName || '(anonymous)';
      const where = location(frame.url, frame.lineNumber, baseDir);
      const key = `${name}\0${where}:${frame.columnNumber}`;
      const cost = costs.get(key) ?? { name, location: where, selfUs: 0 };
      cost.selfUs += durationUs;
      costs.set(key, cost);
    }
  }
  const busyUs = totalUs - idleUs;
  const top = [...costs.values()]
    .sort((a, b) => b.selfUs - a.selfUs)
    .slice(0, limit)
    .map(({ name, location, selfUs }) => ({
      name,
      location,
      selfMs: selfUs / 1000,
      percent: busyUs ? (selfUs / busyUs) * 100 : 0,
    }));
  return { totalMs: totalUs / 1000, idleMs: idleUs / 1000, top };
}

export function readCpuProfile(path: string): CpuProfile {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Partial<CpuProfile>;
  if (!Array.isArray(profile.nodes) || !Array.isArray(profile.samples) || !Array.isArray(profile.timeDeltas))
    throw new Error(`${path} is not a V8 CPU profile (no nodes/samples/timeDeltas)`);
  return profile as CpuProfile;
}

export function formatProfileSummary(summary: ProfileSummary): string {
  const busy = summary.totalMs - summary.idleMs;
  const lines = [
    `top ${summary.top.length} functions by self time (${busy.toFixed(0)} ms busy, ${summary.idleMs.toFixed(0)} ms idle):`,
    ...summary.top.map(
      (f) =>
        `  ${f.selfMs.toFixed(1).padStart(9)} ms ${f.percent.toFixed(1).padStart(5)}%  ${f.name}${f.location ? `  ${f.location}` : ''}`,
    ),
  ];
  return lines.join('\n');
}

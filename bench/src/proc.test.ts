// The /proc readers on this test's own process and on a child it spawns: CPU it burns shows up, and nothing more.
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findCassandraPid, processCpuMs, processTree, processTreeCpuMs, processTreeRss } from './proc.js';

/** Spins until this process has used `ms` more CPU (by the clock, a loaded machine could give it much less). */
function burnCpu(ms: number): void {
  const start = process.cpuUsage();
  let x = 0;
  while (process.cpuUsage(start).user < ms * 1000) x += Math.sqrt(x + 1);
  expect(x).toBeGreaterThan(0);
}

describe('/proc readers', () => {
  it('count the CPU this process burns, as the kernel accounts it to the process', () => {
    const usageBefore = process.cpuUsage();
    const before = processCpuMs(process.pid);
    burnCpu(300);
    const after = processCpuMs(process.pid);
    const usage = process.cpuUsage(usageBefore);
    const delta = after - before;
    expect(delta).toBeGreaterThanOrEqual(250);
    // getrusage (process.cpuUsage) counts the same CPU; /proc rounds to 10 ms ticks per thread.
    expect(Math.abs(delta - (usage.user + usage.system) / 1000)).toBeLessThan(60);
  });

  it('sum over the process tree: a child that burns CPU is counted, and 0 for a gone process', async () => {
    const child = spawn(process.execPath, ['-e', 'while (process.cpuUsage().user < 300_000);'], {
      stdio: 'ignore',
    });
    await once(child, 'spawn');
    expect(processTree([process.pid])).toEqual(expect.arrayContaining([process.pid, child.pid]));
    expect(processTreeRss([process.pid])).toBeGreaterThan(processTreeRss([child.pid!]));
    // Read while the child still runs (it is not reaped yet, so its time is its own, not our cutime).
    let childMs = 0;
    const exited = once(child, 'exit');
    const poll = setInterval(() => (childMs = Math.max(childMs, processTreeCpuMs([child.pid!]))), 20);
    await exited;
    clearInterval(poll);
    expect(childMs).toBeGreaterThanOrEqual(200);
    expect(processCpuMs(child.pid!)).toBe(0);
  });

  it('finds Cassandra from a live pid in the pid file, and says so when the file names no live process', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-proc-'));
    try {
      const pidFile = join(dir, 'cassandra.pid');
      writeFileSync(pidFile, `${process.pid}\n`);
      expect(findCassandraPid(pidFile)).toBe(process.pid);
      // No pid file: the answer depends on the machine (the one Cassandra JVM, or a clear error), never a wrong pid.
      rmSync(pidFile);
      let found: number | undefined;
      try {
        found = findCassandraPid(pidFile);
      } catch (err) {
        expect((err as Error).message).toMatch(/Cassandra process|--cassandra-pid/);
      }
      if (found !== undefined) expect(processCpuMs(found)).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

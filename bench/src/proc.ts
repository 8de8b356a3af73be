// What a process tree costs, read from /proc (Linux): resident memory and CPU time.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';

function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((thread) =>
      readFileSync(`/proc/${pid}/task/${thread}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** The processes now alive under the roots (the roots included, each pid once): a server may fork helpers. */
export function processTree(rootPids: readonly number[]): number[] {
  const seen = new Set<number>();
  const pending = [...rootPids];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    if (seen.has(pid)) continue;
    seen.add(pid);
    pending.push(...childPids(pid));
  }
  return [...seen];
}

/** Resident set size of one process in bytes, or 0 if it is gone. */
function processRss(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function processTreeRss(rootPids: readonly number[]): number {
  return processTree(rootPids).reduce((total, pid) => total + processRss(pid), 0);
}

let clockTicksPerSecond: number | undefined;

/** The unit of /proc/<pid>/stat's times (USER_HZ): 100 on common kernels, but the system says. */
function ticksPerSecond(): number {
  if (clockTicksPerSecond === undefined) {
    const answer = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    clockTicksPerSecond = Number.isInteger(answer) && answer > 0 ? answer : 100;
  }
  return clockTicksPerSecond;
}

/**
 * CPU time of one process in ms: utime + stime of all its threads, plus cutime + cstime, the CPU of children it has
 * already reaped (so a helper that exits mid-measurement keeps counting, through its parent). 0 if it is gone.
 */
export function processCpuMs(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces or ')'; fields 3.. follow the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14-17 of proc(5): utime, stime, cutime, cstime; fields[0] is field 3.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return (ticks * 1000) / ticksPerSecond();
}

/** CPU ms summed over the process trees of the roots, as alive now. */
export function processTreeCpuMs(rootPids: readonly number[]): number {
  return processTree(rootPids).reduce((total, pid) => total + processCpuMs(pid), 0);
}

/**
 * Resolves once the process trees used under `busyMsPerSecond` CPU ms in each of `quietSeconds` seconds in a row
 * (sampled each second), or after `timeoutMs` whatever they use. Returns how long it waited. One quiet second is
 * not enough: start-dev pauses for a second between answering and loading its internal worker's SDK.
 */
export async function waitForQuiet(
  rootPids: readonly number[],
  busyMsPerSecond: number,
  timeoutMs: number,
  quietSeconds = 3,
) {
  const started = Date.now();
  let before = processTreeCpuMs(rootPids);
  let quiet = 0;
  while (Date.now() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = processTreeCpuMs(rootPids);
    quiet = now - before < busyMsPerSecond ? quiet + 1 : 0;
    if (quiet === quietSeconds) break;
    before = now;
  }
  return Date.now() - started;
}

const CASSANDRA_MAIN_CLASS = 'org.apache.cassandra.service.CassandraDaemon';

/**
 * The local Cassandra JVM: the pid in `pidFile` (what deploy/local/cassandra.sh writes) when that process is alive,
 * else the one process on this machine running Cassandra's main class (the node may have been started from another
 * checkout). Throws when none or several are found: then --cassandra-pid must say which.
 */
export function findCassandraPid(pidFile: string): number {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && existsSync(`/proc/${pid}/stat`)) return pid;
  } catch {
    // no pid file in this checkout: look for the process
  }
  const found = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(CASSANDRA_MAIN_CLASS);
      } catch {
        return false;
      }
    })
    .map(Number);
  if (found.length === 1) return found[0];
  throw new Error(
    found.length
      ? `several Cassandra processes (${found.join(', ')}): say which with --cassandra-pid`
      : `no Cassandra process found (no live pid in ${pidFile}, no ${CASSANDRA_MAIN_CLASS}): use --cassandra-pid`,
  );
}

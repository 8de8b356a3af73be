// Schedules through another official SDK: tests/python/schedules_test.py with the Python SDK (PyPI temporalio,
// installed by .ci/run into .deps/py) against an in-process Tempora dev server. Required in CI; skipped with a note
// locally when temporalio is not importable.
import { describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { useTestServer } from './helpers.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = `${ROOT}tests/python/schedules_test.py`;

/** The venv of .ci/run, else python3; undefined when neither imports temporalio (an error in CI). */
function findPython(): string | undefined {
  const candidates = [`${ROOT}.deps/py/bin/python`, 'python3'].filter((p) => p === 'python3' || existsSync(p));
  for (const python of candidates) {
    try {
      execFileSync(python, ['-c', 'import temporalio'], { stdio: 'ignore' });
      return python;
    } catch {
      // try the next one
    }
  }
  if (process.env.CI) throw new Error('the Python SDK must be installed in CI (.ci/run installs temporalio)');
  console.warn('python-schedules: skipped, temporalio is not importable (pip install temporalio into .deps/py)');
  return undefined;
}

const python = findPython();
const describeWithPython = python ? describe : describe.skip;

describeWithPython('schedules through the Python SDK', () => {
  const t = useTestServer();

  it('creates, waits for two actions, describes, lists, pauses, triggers and deletes', async () => {
    const result = await run(python!, [SCRIPT, t.server.address], { timeout: 90_000 }).catch(
      (err: { code?: number; stdout?: string; stderr?: string }) => {
        throw new Error(`python exited with ${err.code}:\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
      },
    );
    expect(result.stdout).toContain('python schedules: ok');
  }, 120_000);
});

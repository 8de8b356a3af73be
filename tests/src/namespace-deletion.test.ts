// Namespace deletion with the official TypeScript client and the `temporal` CLI: DeleteNamespace marks the namespace
// DELETED and renames it `<name>-deleted-<5 chars of its id>` (the name is reusable at once), describe and
// ListNamespaces(include_deleted) show it meanwhile, the worker service's reclaim workflow deletes its runs and
// then the record; validation as upstream.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import { Client } from '@temporalio/client';
import protos from '@temporalio/proto';
import Long from 'long';
import { eventually, findTemporalCli, grpcFailure, startTestServer, uniqueName, useTestServer } from './helpers.js';

const { NamespaceState } = protos.temporal.api.enums.v1;
const run = promisify(execFile);
const DAY = { seconds: Long.fromNumber(86_400) };
/** The reclaim workflow waits 12 s for namespace caches, then deletes at 100 runs/s. */
const RECLAIM_MS = 60_000;

describe('namespace deletion', () => {
  const t = useTestServer();

  async function register(namespace: string): Promise<string> {
    await t.connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: DAY });
    return (await t.connection.workflowService.describeNamespace({ namespace })).namespaceInfo!.id!;
  }

  /** Every execution row of the namespace id on any shard. */
  async function storedRuns(namespaceId: string): Promise<string[]> {
    const { stores, config } = t.server;
    const runIds: string[] = [];
    for (let shardId = 1; shardId <= config.numHistoryShards; shardId++) {
      const rows = (await stores.executions.listWorkflowExecutions(shardId, 1000, undefined)).items;
      runIds.push(...rows.filter((row) => row.namespaceId === namespaceId).map((row) => row.runId));
    }
    return runIds;
  }

  it(
    'renames and marks the namespace DELETED, frees the name, then deletes its runs and its record',
    async () => {
      const name = uniqueName('doomed');
      const id = await register(name);
      const client = new Client({ connection: t.connection, namespace: name });
      const open = await client.workflow.start('anything', { taskQueue: 'nobody', workflowId: uniqueName('open') });
      const closed = await client.workflow.start('anything', { taskQueue: 'nobody', workflowId: uniqueName('done') });
      await closed.terminate();
      expect((await storedRuns(id)).sort()).toEqual([open.firstExecutionRunId, closed.firstExecutionRunId].sort());

      const { deletedNamespace } = await t.connection.operatorService.deleteNamespace({ namespace: name });

      const deletedName = `${name}-deleted-${id.slice(0, 5)}`;
      expect(deletedNamespace).toBe(deletedName);
      const byOldName = await grpcFailure(t.connection.workflowService.describeNamespace({ namespace: name }));
      expect(byOldName.code).toBe(status.NOT_FOUND);
      const described = await t.connection.workflowService.describeNamespace({ namespace: deletedName });
      expect([described.namespaceInfo?.id, described.namespaceInfo?.state]).toEqual([
        id,
        NamespaceState.NAMESPACE_STATE_DELETED,
      ]);
      const listNames = async (includeDeleted: boolean) =>
        (
          await t.connection.workflowService.listNamespaces({ pageSize: 1000, namespaceFilter: { includeDeleted } })
        ).namespaces.map((ns) => ns.namespaceInfo?.name);
      expect(await listNames(true)).toContain(deletedName);
      expect(await listNames(false)).not.toContain(deletedName);
      // Its runs are out of reach at once: the namespace's workflow calls answer NOT_FOUND.
      const start = await grpcFailure(
        t.connection.workflowService.startWorkflowExecution({
          namespace: deletedName,
          workflowId: uniqueName('late'),
          workflowType: { name: 'anything' },
          taskQueue: { name: 'nobody' },
          requestId: uniqueName('req'),
        }),
      );
      expect(start.code).toBe(status.NOT_FOUND);

      // The name is free: a new namespace under it is independent of the one being deleted.
      const newId = await register(name);
      expect(newId).not.toBe(id);
      const survivor = await new Client({ connection: t.connection, namespace: name }).workflow.start('anything', {
        taskQueue: 'nobody',
        workflowId: open.workflowId,
      });

      await eventually(async () => {
        const gone = await grpcFailure(t.connection.workflowService.describeNamespace({ namespace: deletedName }));
        expect(gone.code).toBe(status.NOT_FOUND);
      }, RECLAIM_MS);
      expect(await storedRuns(id)).toEqual([]);
      expect(await listNames(true)).not.toContain(deletedName);
      expect((await survivor.describe()).status.name).toBe('RUNNING');
      expect(await storedRuns(newId)).toEqual([survivor.firstExecutionRunId]);
      await survivor.terminate();
    },
    RECLAIM_MS + 30_000,
  );

  // The CLI, unlike the TS client, does not retry UNAVAILABLE: the first answer must be the deletion.
  const cliForEarlyDelete = findTemporalCli();
  (cliForEarlyDelete ? it : it.skip)(
    'a DeleteNamespace sent as the server starts waits for the worker service to register temporal-system',
    async () => {
      const fresh = await startTestServer();
      try {
        const temporal = (...args: string[]) => run(cliForEarlyDelete!, [...args, '--address', fresh.server.address]);
        const namespace = uniqueName('early');
        await temporal('operator', 'namespace', 'create', '--namespace', namespace);
        const deleted = await temporal('operator', 'namespace', 'delete', '-n', namespace, '--yes');
        expect(deleted.stdout).toContain(`Namespace ${namespace} has been deleted.`);
      } finally {
        await fresh.close();
      }
    },
  );

  it('refuses temporal-system, an unknown namespace and a request naming both name and id', async () => {
    const system = await grpcFailure(t.connection.operatorService.deleteNamespace({ namespace: 'temporal-system' }));
    expect([system.code, system.message]).toEqual([status.FAILED_PRECONDITION, 'unable to delete system namespace']);
    const unknown = await grpcFailure(t.connection.operatorService.deleteNamespace({ namespace: 'no-such-ns' }));
    expect([unknown.code, unknown.message]).toEqual([status.NOT_FOUND, 'Namespace no-such-ns is not found.']);
    const both = await grpcFailure(
      t.connection.operatorService.deleteNamespace({
        namespace: 'a',
        namespaceId: '00000000-0000-4000-8000-000000000000',
      }),
    );
    expect([both.code, both.message]).toEqual([
      status.INVALID_ARGUMENT,
      'Only one of namespace name or Id should be set on request.',
    ]);
  });

  const cli = findTemporalCli();
  (cli ? it : it.skip)(
    'temporal operator namespace delete --yes: renamed, reusable name, upstream messages',
    async () => {
      const temporal = (...args: string[]) => run(cli!, [...args, '--address', t.server.address]);
      const name = uniqueName('cli-doomed');
      await temporal('operator', 'namespace', 'create', '--namespace', name);
      await temporal('workflow', 'start', '--type', 'anything', '--task-queue', 'nobody', '-w', 'w1', '-n', name);

      const deleted = await temporal('operator', 'namespace', 'delete', '-n', name, '--yes');

      expect(deleted.stdout).toContain(`Namespace ${name} has been deleted.`);
      await expect(temporal('operator', 'namespace', 'describe', '-n', name)).rejects.toMatchObject({
        stderr: expect.stringContaining(`Namespace ${name} is not found.`),
      });
      await temporal('operator', 'namespace', 'create', '--namespace', name);
      const listed = await temporal('operator', 'namespace', 'list');
      expect(listed.stdout).toContain(name);
      expect(listed.stdout).not.toContain(`${name}-deleted-`);
      await expect(temporal('operator', 'namespace', 'delete', '-n', 'temporal-system', '--yes')).rejects.toMatchObject(
        {
          stderr: expect.stringContaining('unable to delete system namespace'),
        },
      );
    },
  );
});

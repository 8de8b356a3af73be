// Namespace and system RPCs through the official TypeScript client's raw WorkflowService/OperatorService.
import { describe, expect, it } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import protos from '@temporalio/proto';

const { temporal } = protos;
import Long from 'long';
import { grpcFailure, uniqueName, useTestServer } from './helpers.js';

const { NamespaceState } = temporal.api.enums.v1;
const seconds = (n: number) => ({ seconds: Long.fromNumber(n) });
const DAY = seconds(86400);

const t = useTestServer();

const register = (namespace: string, extra: Record<string, unknown> = {}) =>
  t.connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: DAY, ...extra });

describe('system info', () => {
  it('GetSystemInfo reports the server version and only implemented capabilities', async () => {
    const info = await t.connection.workflowService.getSystemInfo({});
    expect(info.serverVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.capabilities?.sdkMetadata).toBe(true);
    expect(info.capabilities?.supportsSchedules).toBe(true);
    expect(info.capabilities?.nexus).toBeFalsy();
  });

  it('GetClusterInfo reports the cluster name and the fixed shard count', async () => {
    const info = await t.connection.workflowService.getClusterInfo({});
    expect(info.clusterName).toBe('active');
    expect(info.historyShardCount).toBe(4);
    expect(info.clusterId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('GetClusterInfo and GetSystemInfo report the upstream release whose API Tempora serves, and the stores in use', async () => {
    // As `temporal operator cluster describe` shows for the official dev server 1.32.0.
    const [cluster, system] = await Promise.all([
      t.connection.workflowService.getClusterInfo({}),
      t.connection.workflowService.getSystemInfo({}),
    ]);
    expect([cluster.serverVersion, system.serverVersion]).toEqual(['1.32.0', '1.32.0']);
    expect([cluster.persistenceStore, cluster.visibilityStore]).toEqual(['sqlite', 'sqlite']);
    expect(cluster.supportedClients).toEqual({
      'Nexus-go-sdk': '<2.0.0',
      'temporal-cli': '<2.0.0',
      'temporal-go': '<2.0.0',
      'temporal-java': '<2.0.0',
      'temporal-php': '<2.0.0',
      'temporal-server': '<2.0.0',
      'temporal-typescript': '<2.0.0',
      'temporal-ui': '<3.0.0',
    });
  });

  it('answers UNIMPLEMENTED naming the method for RPCs Tempora does not serve', async () => {
    const failure = await grpcFailure(
      t.connection.workflowService.updateWorkerBuildIdCompatibility({ namespace: 'default' }),
    );
    expect(failure.code).toBe(status.UNIMPLEMENTED);
    expect(failure.message).toContain('UpdateWorkerBuildIdCompatibility');
  });
});

describe('RegisterNamespace / DescribeNamespace', () => {
  it('registers default at start', async () => {
    const ns = await t.connection.workflowService.describeNamespace({ namespace: 'default' });
    expect(ns.namespaceInfo?.name).toBe('default');
    expect(ns.namespaceInfo?.state).toBe(NamespaceState.NAMESPACE_STATE_REGISTERED);
    expect(Number(ns.config?.workflowExecutionRetentionTtl?.seconds)).toBe(86400);
  });

  it('round-trips a registered namespace by name and by id', async () => {
    const name = uniqueName('ns');
    await register(name, { description: 'orders', ownerEmail: 'ops@example.com', data: { team: 'payments' } });
    const byName = await t.connection.workflowService.describeNamespace({ namespace: name });
    expect(byName.namespaceInfo).toMatchObject({ name, description: 'orders', ownerEmail: 'ops@example.com' });
    expect(byName.namespaceInfo?.data).toEqual({ team: 'payments' });
    expect(byName.replicationConfig?.activeClusterName).toBe('active');
    expect(byName.namespaceInfo?.capabilities).toMatchObject({ syncUpdate: true, asyncUpdate: true });
    const byId = await t.connection.workflowService.describeNamespace({ id: byName.namespaceInfo!.id! });
    expect(byId.namespaceInfo?.name).toBe(name);
  });

  it('rejects a duplicate name with ALREADY_EXISTS', async () => {
    const name = uniqueName('dup');
    await register(name);
    const failure = await grpcFailure(register(name));
    expect(failure.code).toBe(status.ALREADY_EXISTS);
    expect(failure.detailType).toBe('temporal.api.errordetails.v1.NamespaceAlreadyExistsFailure');
  });

  it.each([
    ['empty', '', 'Namespace is not set'],
    ['with spaces', 'has spaces', 'field namespace'],
    ['with a slash', 'a/b', 'field namespace'],
    ['too long', 'x'.repeat(1001), 'Namespace length exceeds limit'],
  ])('rejects a name that is %s with INVALID_ARGUMENT', async (_label, name, text) => {
    const failure = await grpcFailure(register(name));
    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.message).toContain(text);
  });

  it.each([
    ['missing', undefined],
    ['zero', seconds(0)],
    ['negative', seconds(-5)],
    ['below the default one-day minimum (limits.retention.minimumSeconds)', seconds(3600)],
  ])('rejects a retention that is %s with INVALID_ARGUMENT naming the field', async (_label, retention) => {
    const failure = await grpcFailure(
      t.connection.workflowService.registerNamespace({
        namespace: uniqueName('ret'),
        workflowExecutionRetentionPeriod: retention,
      }),
    );
    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.message).toContain('workflow_execution_retention_period');
  });

  it('rejects global namespaces and foreign clusters', async () => {
    expect((await grpcFailure(register(uniqueName('g'), { isGlobalNamespace: true }))).code).toBe(
      status.INVALID_ARGUMENT,
    );
    const foreign = await grpcFailure(register(uniqueName('c'), { activeClusterName: 'elsewhere' }));
    expect(foreign.code).toBe(status.INVALID_ARGUMENT);
    expect(foreign.message).toContain('active_cluster_name');
  });

  it('answers NOT_FOUND with NamespaceNotFoundFailure for an unknown namespace', async () => {
    const failure = await grpcFailure(
      t.connection.workflowService.describeNamespace({ namespace: 'no-such-namespace' }),
    );
    expect(failure.code).toBe(status.NOT_FOUND);
    expect(failure.detailType).toBe('temporal.api.errordetails.v1.NamespaceNotFoundFailure');
    const byId = await grpcFailure(
      t.connection.workflowService.describeNamespace({ id: '00000000-0000-4000-8000-000000000000' }),
    );
    expect(byId.code).toBe(status.NOT_FOUND);
  });

  it('rejects a describe that sets both name and id, or neither', async () => {
    const both = await grpcFailure(t.connection.workflowService.describeNamespace({ namespace: 'default', id: 'x' }));
    expect(both.code).toBe(status.INVALID_ARGUMENT);
    const neither = await grpcFailure(t.connection.workflowService.describeNamespace({}));
    expect(neither.code).toBe(status.INVALID_ARGUMENT);
  });
});

describe('ListNamespaces', () => {
  it('pages through every namespace exactly once', async () => {
    const names = Array.from({ length: 5 }, () => uniqueName('page'));
    for (const name of names) await register(name);
    const seen: string[] = [];
    let token: Uint8Array | undefined;
    let pages = 0;
    do {
      const page = await t.connection.workflowService.listNamespaces({ pageSize: 2, nextPageToken: token });
      expect(page.namespaces.length).toBeLessThanOrEqual(2);
      seen.push(...page.namespaces.map((ns) => ns.namespaceInfo!.name!));
      token = page.nextPageToken?.length ? page.nextPageToken : undefined;
      pages++;
    } while (token && pages < 100);
    expect(new Set(seen).size).toBe(seen.length);
    for (const name of [...names, 'default']) expect(seen).toContain(name);
  });

  it('rejects a page token it did not issue', async () => {
    const failure = await grpcFailure(
      t.connection.workflowService.listNamespaces({ pageSize: 2, nextPageToken: Buffer.from('garbage') }),
    );
    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.message).toBe('Invalid NextPageToken.');
  });
});

describe('UpdateNamespace / DeprecateNamespace / DeleteNamespace', () => {
  it('updates info, merges data and changes retention', async () => {
    const name = uniqueName('upd');
    await register(name, { data: { a: '1' } });
    const updated = await t.connection.workflowService.updateNamespace({
      namespace: name,
      updateInfo: { description: 'new', data: { b: '2' } },
      config: { workflowExecutionRetentionTtl: seconds(3 * 86400) },
    });
    expect(updated.namespaceInfo?.description).toBe('new');
    const described = await t.connection.workflowService.describeNamespace({ namespace: name });
    expect(described.namespaceInfo?.data).toEqual({ a: '1', b: '2' });
    expect(Number(described.config?.workflowExecutionRetentionTtl?.seconds)).toBe(3 * 86400);
  });

  it('adds and deletes bad binaries, rejecting an unknown checksum', async () => {
    const name = uniqueName('bb');
    await register(name);
    await t.connection.workflowService.updateNamespace({
      namespace: name,
      config: { badBinaries: { binaries: { abc: { reason: 'crashes' } } } },
    });
    let described = await t.connection.workflowService.describeNamespace({ namespace: name });
    expect(described.config?.badBinaries?.binaries?.abc?.reason).toBe('crashes');
    await t.connection.workflowService.updateNamespace({ namespace: name, deleteBadBinary: 'abc' });
    described = await t.connection.workflowService.describeNamespace({ namespace: name });
    expect(described.config?.badBinaries?.binaries?.abc).toBeUndefined();
    const failure = await grpcFailure(
      t.connection.workflowService.updateNamespace({ namespace: name, deleteBadBinary: 'zzz' }),
    );
    expect(failure.code).toBe(status.INVALID_ARGUMENT);
  });

  it('rejects an update of an unknown namespace, a bad retention and an invalid state change', async () => {
    expect((await grpcFailure(t.connection.workflowService.updateNamespace({ namespace: 'nope-nope' }))).code).toBe(
      status.NOT_FOUND,
    );
    const name = uniqueName('inv');
    await register(name);
    const retention = await grpcFailure(
      t.connection.workflowService.updateNamespace({
        namespace: name,
        config: { workflowExecutionRetentionTtl: { ...seconds(0), nanos: 5 } },
      }),
    );
    expect(retention.code).toBe(status.INVALID_ARGUMENT);
    await t.connection.workflowService.deprecateNamespace({ namespace: name });
    const back = await grpcFailure(
      t.connection.workflowService.updateNamespace({
        namespace: name,
        updateInfo: { state: NamespaceState.NAMESPACE_STATE_REGISTERED },
      }),
    );
    expect(back.code).toBe(status.INVALID_ARGUMENT);
    expect(back.message).toContain('update_info.state');
  });

  it('deprecates once', async () => {
    const name = uniqueName('dep');
    await register(name);
    await t.connection.workflowService.deprecateNamespace({ namespace: name });
    const described = await t.connection.workflowService.describeNamespace({ namespace: name });
    expect(described.namespaceInfo?.state).toBe(NamespaceState.NAMESPACE_STATE_DEPRECATED);
    expect((await grpcFailure(t.connection.workflowService.deprecateNamespace({ namespace: name }))).code).toBe(
      status.INVALID_ARGUMENT,
    );
  });

  it('deletes through OperatorService so the name can be registered again', async () => {
    const name = uniqueName('del');
    await register(name);
    const deleted = await t.connection.operatorService.deleteNamespace({ namespace: name });
    // Renamed as upstream does (namespace-deletion.test.ts covers the rest of the lifecycle).
    expect(deleted.deletedNamespace).toMatch(new RegExp(`^${name}-deleted-[0-9a-f-]{5}$`));
    expect((await grpcFailure(t.connection.workflowService.describeNamespace({ namespace: name }))).code).toBe(
      status.NOT_FOUND,
    );
    await register(name);
    expect((await grpcFailure(t.connection.operatorService.deleteNamespace({}))).code).toBe(status.INVALID_ARGUMENT);
  });
});

describe('DescribeWorkflowExecution probes', () => {
  it('answers "Invalid RunId." for a run id that is not a UUID, as external harnesses expect', async () => {
    const failure = await grpcFailure(
      t.connection.workflowService.describeWorkflowExecution({
        namespace: 'default',
        execution: { workflowId: '!sonotreal', runId: 'superneverexistwf!' },
      }),
    );
    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.message).toBe('Invalid RunId.');
  });

  it('checks the namespace first', async () => {
    const failure = await grpcFailure(
      t.connection.workflowService.describeWorkflowExecution({
        namespace: 'missing-ns',
        execution: { workflowId: 'w', runId: 'bad' },
      }),
    );
    expect(failure.code).toBe(status.NOT_FOUND);
    expect(failure.detailType).toBe('temporal.api.errordetails.v1.NamespaceNotFoundFailure');
  });
});

// The telemetry interceptor and the instrumented stores against a real registry and a real /metrics server:
// upstream's names, tags and types; the request log; off = no-op.
import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { composeInterceptors, notFound, RpcCall, type Next } from '@tempora/rpc';
import type { PersistenceStores } from '@tempora/persistence';
import { telemetryInterceptor } from './interceptor.js';
import { NOOP_METRICS, PrometheusMetrics } from './metrics.js';
import { instrumentStores } from './persistence.js';
import { measureClient } from './client.js';
import { serveMetrics } from './http.js';

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const call = (method: string, request: unknown) =>
  new RpcCall('server', 'grpc', 'frontend', method, `WorkflowService/${method}`, request, Infinity, undefined);

describe('telemetry interceptor', () => {
  it('counts requests and errors with upstream names and tags, and logs each failed or slow call once', async () => {
    const metrics = new PrometheusMetrics({ processMetrics: false });
    const { logger, lines } = captureLogger();
    const last: Next = async (c) => {
      const id = (c.request as { execution?: { workflowId?: string } }).execution?.workflowId;
      if (id === 'missing') throw notFound('workflow not found');
      if (id === 'slow') await new Promise((r) => setTimeout(r, 30));
      return {};
    };
    const pipeline = composeInterceptors(
      [telemetryInterceptor({ service: 'frontend', metrics, logger, slowRequestMs: 20 })],
      last,
    );
    const req = (workflowId: string) => ({ namespace: 'default', execution: { workflowId, runId: 'r1' } });
    await pipeline(call('DescribeWorkflowExecution', req('wf')));
    await pipeline(call('DescribeWorkflowExecution', req('slow')));
    await expect(pipeline(call('DescribeWorkflowExecution', req('missing')))).rejects.toThrow('workflow not found');
    await pipeline(call('GetSystemInfo', {}));

    const text = await metrics.exposition();
    expect(text).toContain('# TYPE service_requests counter');
    expect(text).toContain('# TYPE service_latency histogram');
    expect(text).toContain(
      'service_requests{service_name="frontend",operation="DescribeWorkflowExecution",namespace="default"} 3',
    );
    expect(text).toContain(
      'service_requests{service_name="frontend",operation="GetSystemInfo",namespace="_unknown_"} 1',
    );
    expect(text).toContain(
      'service_errors{service_name="frontend",operation="DescribeWorkflowExecution",namespace="default"} 1',
    );
    expect(text).toMatch(/service_error_with_type\{[^}]*error_type="serviceerror_NotFound"[^}]*\} 1/);
    expect(text).toMatch(/service_latency_bucket\{le="0\.001",service_name="frontend"/);
    expect(text).not.toContain('_total');

    const failed = lines.filter((l) => l.msg === 'request failed');
    const slow = lines.filter((l) => l.msg === 'slow request');
    expect(failed).toEqual([
      expect.objectContaining({
        method: 'WorkflowService/DescribeWorkflowExecution',
        namespace: 'default',
        workflowId: 'missing',
        runId: 'r1',
        status: 'NOT_FOUND',
        error: 'workflow not found',
      }),
    ]);
    expect(slow).toEqual([expect.objectContaining({ workflowId: 'slow', status: 'OK' })]);
    expect(typeof slow[0]!.durationMs).toBe('number');
  });

  it('is the identity with metrics off and no logger', () => {
    const next: Next = async () => ({});
    expect(telemetryInterceptor({ service: 'history', metrics: NOOP_METRICS })(next)).toBe(next);
  });
});

describe('PrometheusMetrics', () => {
  it('keeps one series per label set whatever the tags order, with cumulative buckets, and refuses unknown labels', async () => {
    const metrics = new PrometheusMetrics({ processMetrics: false });
    const tagged = metrics.withTags({ service_name: 'history' });
    const requests = tagged.counter('persistence_requests');
    const latency = tagged.histogram('persistence_latency');
    requests.add(1, { operation: 'GetTaskQueue', namespace: 'default' });
    requests.add(2, { namespace: 'default', operation: 'GetTaskQueue' });
    requests.add(1, { operation: 'GetTaskQueue', namespace: 'other' });
    for (const seconds of [0.0005, 0.001, 0.003, 2000])
      latency.record(seconds, { operation: 'GetTaskQueue', namespace: 'default' });
    const text = await metrics.exposition();
    const lines = text.split('\n');
    expect(lines.filter((l) => l.startsWith('persistence_requests{'))).toEqual([
      'persistence_requests{service_name="history",operation="GetTaskQueue",namespace="default"} 3',
      'persistence_requests{service_name="history",operation="GetTaskQueue",namespace="other"} 1',
    ]);
    const series = 'service_name="history",operation="GetTaskQueue",namespace="default"';
    expect(lines).toContain(`persistence_latency_bucket{le="0.001",${series}} 2`);
    expect(lines).toContain(`persistence_latency_bucket{le="0.005",${series}} 3`);
    expect(lines).toContain(`persistence_latency_bucket{le="1000",${series}} 3`);
    expect(lines).toContain(`persistence_latency_bucket{le="+Inf",${series}} 4`);
    expect(lines).toContain(`persistence_latency_count{${series}} 4`);
    expect(lines).toContain(`persistence_latency_sum{${series}} 2000.0045`);
    expect(() => requests.add(1, { operation: 'X', shard: '1' })).toThrow('"shard" is not included');
    expect(() => requests.add(-1, { operation: 'X' })).toThrow('not a valid increment');
    expect(() => latency.record(Number.NaN, { operation: 'X' })).toThrow('not a valid value');
  });

  it('tells series apart by every label, a missing label being the empty one, and the call tags over the base', async () => {
    const metrics = new PrometheusMetrics({ processMetrics: false });
    const tasks = metrics.withTags({ service_name: 'history', task_type: 'base' }).counter('task_requests');
    tasks.add(1, { operation: 'A', namespace: 'n1' });
    tasks.add(1, { operation: 'A', namespace: 'n2' });
    tasks.add(1, { operation: 'B', namespace: 'n1' });
    tasks.add(1, { operation: 'A', namespace: 'n1', task_type: 'own' });
    tasks.add(1, { operation: 'A' });
    tasks.add(1, { operation: 'A', namespace: '' });
    const lines = (await metrics.exposition()).split('\n').filter((l) => l.startsWith('task_requests{'));
    expect(lines).toEqual([
      'task_requests{service_name="history",task_type="base",operation="A",namespace="n1"} 1',
      'task_requests{service_name="history",task_type="base",operation="A",namespace="n2"} 1',
      'task_requests{service_name="history",task_type="base",operation="B",namespace="n1"} 1',
      'task_requests{service_name="history",task_type="own",operation="A",namespace="n1"} 1',
      'task_requests{service_name="history",task_type="base",operation="A"} 2',
    ]);
    metrics.registry.resetMetrics();
    tasks.add(5, { operation: 'A', namespace: 'n1' });
    expect((await metrics.exposition()).split('\n').filter((l) => l.startsWith('task_requests{'))).toEqual([
      'task_requests{service_name="history",task_type="base",operation="A",namespace="n1"} 5',
    ]);
  });
});

describe('measureClient', () => {
  it("counts each call under the caller's service_name and upstream's <Role>Client<Method> operation", async () => {
    const metrics = new PrometheusMetrics({ processMetrics: false });
    const definition = {
      describeWorkflowExecution: {
        path: '/temporal.server.api.historyservice.v1.HistoryService/DescribeWorkflowExecution',
      },
    };
    const client = {
      describeWorkflowExecution: async (request: { namespaceId: string; workflowId: string }) => {
        if (request.workflowId === 'missing') throw notFound('workflow not found');
        return { ok: true };
      },
      close: () => 'closed',
    };
    const options = { caller: 'frontend', target: 'history' as const, definition, metrics };
    const measured = measureClient(client, {
      ...options,
      namespaceName: (id) => (id === 'ns-1' ? 'default' : undefined),
    });
    await expect(measured.describeWorkflowExecution({ namespaceId: 'ns-1', workflowId: 'wf' })).resolves.toEqual({
      ok: true,
    });
    await expect(measured.describeWorkflowExecution({ namespaceId: 'ns-1', workflowId: 'missing' })).rejects.toThrow(
      'workflow not found',
    );
    expect(measured.close()).toBe('closed');
    const text = await metrics.exposition();
    const tags = 'service_name="frontend",service_role="history",operation="HistoryClientDescribeWorkflowExecution"';
    expect(text).toContain(`client_requests{${tags},namespace="default"} 2`);
    expect(text).toContain(`client_errors{${tags},namespace="default",error_type="serviceerror_NotFound"} 1`);
    expect(text).toContain(`client_latency_count{${tags},namespace="default"} 2`);
    expect(measureClient(client, { ...options, metrics: NOOP_METRICS })).toBe(client);
  });
});

describe('instrumentStores', () => {
  it("measures every store call under upstream's persistence operation names", async () => {
    const metrics = new PrometheusMetrics({ processMetrics: false });
    const stores = {
      executions: {
        getHistoryTasks: async () => ({ items: [], nextPageToken: undefined }),
        getWorkflowExecution: async () => undefined,
        importExecutions: async () => {},
      },
      history: {
        appendHistoryNode: async () => {
          throw new Error('disk full');
        },
      },
      clusterMetadata: { updateClusterMetadata: async () => {} },
      namespaces: {},
      shards: {},
      taskQueues: {},
      close: async () => {},
    } as unknown as PersistenceStores;
    const measured = instrumentStores(stores, {
      service: 'history',
      metrics,
      namespaceName: (id) => (id === 'ns-1' ? 'default' : undefined),
    });
    await measured.executions.getHistoryTasks({
      shardId: 1,
      category: 'transfer',
      exclusiveMinTaskId: 0,
      inclusiveMaxTaskId: 1,
      pageSize: 10,
    });
    await measured.executions.getWorkflowExecution(1, 'ns-1', 'wf', 'run');
    await expect(measured.history.appendHistoryNode(1, 'b', {} as never)).rejects.toThrow('disk full');
    await measured.clusterMetadata.updateClusterMetadata({} as never, 0);
    await measured.executions.importExecutions({ shardId: 1, rangeId: 1, executions: [], currentRows: [], tasks: [] });
    const text = await metrics.exposition();
    expect(text).toContain(
      'persistence_requests{service_name="history",operation="GetTransferTasks",namespace="system"} 1',
    );
    expect(text).toContain(
      'persistence_requests{service_name="history",operation="GetWorkflowExecution",namespace="default"} 1',
    );
    expect(text).toContain(
      'persistence_errors{service_name="history",operation="AppendHistoryNodes",namespace="system"} 1',
    );
    expect(text).toContain(
      'persistence_requests{service_name="history",operation="SaveClusterMetadata",namespace="system"} 1',
    );
    // Reshard calls have no upstream counterpart: the method name in PascalCase.
    expect(text).toContain(
      'persistence_requests{service_name="history",operation="ImportExecutions",namespace="system"} 1',
    );
    expect(instrumentStores(stores, { service: 'history', metrics: NOOP_METRICS })).toBe(stores);
  });
});

describe('serveMetrics', () => {
  it('serves the exposition at /metrics, with process metrics', async () => {
    const metrics = new PrometheusMetrics();
    metrics.counter('restarts').add(1, { service_name: 'frontend' });
    const server = await serveMetrics(metrics, '127.0.0.1', 0);
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(text).toContain('restarts{service_name="frontend"} 1');
      expect(text).toContain('nodejs_eventloop_lag_seconds');
      expect(text).toContain('nodejs_heap_size_used_bytes');
      expect((await fetch(`http://127.0.0.1:${server.port}/nope`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

// OTLP against a real OpenTelemetry Collector (deploy/local/otelcol.sh's build; TEMPORA_TEST_OTELCOL = its path): a
// start-dev child process with OTEL_EXPORTER_OTLP_ENDPOINT at the collector runs a workflow for the official TS SDK;
// the collector then holds one StartWorkflowExecution trace with frontend, history and matching spans, persistence
// child spans and the workflow id and run id as attributes, and the service_requests metric of those calls.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Connection } from '@temporalio/client';
import { devServerOnNewFile, eventually, startCli, uniqueName, type Started } from './helpers.js';
import { attribute, collectorAvailable, startCollector, type Collector, type OtlpSpan } from './otel-collector.js';
import { bundleWorkflows, installRuntime, runWorker, type RunningWorker } from './sdk-support.js';

const SERVER = 2;

describe('OTLP (start-dev with OTEL_EXPORTER_OTLP_ENDPOINT at a real OpenTelemetry Collector)', () => {
  const available = collectorAvailable();
  const itWithCollector = available ? it : it.skip;
  let collector: Collector | undefined;
  let server: Started | undefined;
  let connection: Connection | undefined;
  let worker: RunningWorker | undefined;
  const taskQueue = uniqueName('otlp');
  const workflowId = uniqueName('traced');
  let runId = '';

  beforeAll(async () => {
    if (!available) return;
    installRuntime();
    collector = await startCollector();
    const dev = await devServerOnNewFile('otlp');
    server = await startCli(dev.args, {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_METRIC_EXPORT_INTERVAL: '500',
    });
    connection = await Connection.connect({ address: dev.address });
    worker = await runWorker(dev.address, { taskQueue, workflowBundle: await bundleWorkflows() });
    const client = new Client({ connection, namespace: 'default' });
    const handle = await client.workflow.start('sleepWorkflow', { taskQueue, workflowId, args: [1] });
    runId = handle.firstExecutionRunId;
    await handle.result();
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await connection?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    await collector?.stop();
  }, 60_000);

  itWithCollector(
    'shows one workflow start as one trace across frontend, history and matching',
    async () => {
      const tag = (span: OtlpSpan, key: string) => attribute(span.attributes, key);
      // The trace is complete once matching's span of the workflow task dispatch arrived.
      const spans = await eventually(async () => {
        const all = collector!.spans();
        const root = all.find(
          (s) => s.name === 'WorkflowService/StartWorkflowExecution' && tag(s, 'temporal.workflow_id') === workflowId,
        );
        const trace = root ? all.filter((s) => s.traceId === root.traceId) : [];
        if (!trace.some((s) => s.name === 'MatchingService/AddWorkflowTask' && s.kind === SERVER))
          throw new Error('the trace is not complete yet');
        return trace;
      });
      expect([...new Set(spans.map((s) => s.service))].sort()).toEqual([
        'tempora-frontend',
        'tempora-history',
        'tempora-matching',
      ]);
      const byName = (name: string) => spans.filter((s) => s.name === name);
      const parentOf = (s: OtlpSpan) => spans.find((p) => p.spanId === s.parentSpanId);

      // frontend SERVER -> frontend CLIENT -> history SERVER -> persistence; the transfer task -> matching.
      const roots = byName('WorkflowService/StartWorkflowExecution');
      expect(roots).toHaveLength(1);
      const root = roots[0]!;
      expect(root.kind).toBe(SERVER);
      expect(root.parentSpanId ?? '').toBe('');
      expect(tag(root, 'rpc.system')).toBe('grpc');
      expect(tag(root, 'rpc.method')).toBe('StartWorkflowExecution');
      expect(tag(root, 'rpc.grpc.status_code')).toBe('0');
      expect(tag(root, 'temporal.namespace')).toBe('default');
      expect(tag(root, 'temporal.run_id')).toBe(runId);

      const historyServer = byName('HistoryService/StartWorkflowExecution').find((s) => s.kind === SERVER);
      expect(historyServer?.service).toBe('tempora-history');
      expect(tag(historyServer!, 'temporal.workflow_id')).toBe(workflowId);
      expect(parentOf(parentOf(historyServer!)!)?.spanId).toBe(root.spanId);
      const writes = byName('persistence/CreateWorkflowExecution');
      expect(writes).toHaveLength(1);
      expect(parentOf(writes[0]!)?.spanId).toBe(historyServer!.spanId);

      const matchingServer = byName('MatchingService/AddWorkflowTask').find((s) => s.kind === SERVER);
      expect(matchingServer?.service).toBe('tempora-matching');
      expect(tag(matchingServer!, 'temporal.workflow_id')).toBe(workflowId);
      expect(tag(matchingServer!, 'temporal.run_id')).toBe(runId);
      expect(parentOf(parentOf(matchingServer!)!)?.name).toBe('TransferActiveTask');
    },
    60_000,
  );

  itWithCollector(
    'exports the /metrics values over OTLP with the same names and labels',
    async () => {
      const starts = await eventually(async () => {
        const point = collector!
          .metrics()
          .filter((m) => m.name === 'service_requests')
          .flatMap((m) => m.sum?.dataPoints ?? [])
          .find(
            (p) =>
              attribute(p.attributes, 'operation') === 'StartWorkflowExecution' &&
              attribute(p.attributes, 'service_name') === 'frontend',
          );
        if (!point) throw new Error('no service_requests for StartWorkflowExecution yet');
        return point;
      });
      expect(attribute(starts.attributes, 'namespace')).toBe('default');
      expect(starts.asDouble ?? Number(starts.asInt)).toBeGreaterThanOrEqual(1);
    },
    60_000,
  );
});

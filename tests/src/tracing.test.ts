// Traces against real parts: a start-dev child process with OTEL_EXPORTER_OTLP_ENDPOINT at a real Jaeger
// (deploy/local/jaeger.sh; TEMPORA_TEST_JAEGER = its query URL, TEMPORA_TEST_OTLP = its OTLP/HTTP endpoint) runs a
// workflow for the official TS SDK; Jaeger's HTTP API then holds one StartWorkflowExecution trace with frontend,
// history and matching spans, persistence child spans and the workflow id and run id as attributes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Connection } from '@temporalio/client';
import { devServerOnNewFile, startCli, uniqueName, type Started } from './helpers.js';
import { bundleWorkflows, installRuntime, runWorker, type RunningWorker } from './sdk-support.js';

const JAEGER = process.env.TEMPORA_TEST_JAEGER;
const OTLP = process.env.TEMPORA_TEST_OTLP ?? 'http://127.0.0.1:4318';

// Opt-in: CI does not build Jaeger yet (see .ci/run). Named but unreachable is a failure.
async function jaegerAvailable(): Promise<boolean> {
  if (!JAEGER) {
    console.log('skipping the tracing test: TEMPORA_TEST_JAEGER names no Jaeger (deploy/local/jaeger.sh start)');
    return false;
  }
  try {
    if ((await fetch(`${JAEGER}/api/services`)).ok) return true;
  } catch {
    // not running
  }
  throw new Error(`tracing tests need a Jaeger at ${JAEGER} (deploy/local/jaeger.sh start)`);
}

interface JaegerSpan {
  spanID: string;
  operationName: string;
  processID: string;
  references: { refType: string; spanID: string }[];
  tags: { key: string; value: unknown }[];
}
interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;

async function findTraces(workflowId: string): Promise<JaegerTrace[]> {
  const query = new URLSearchParams({
    service: 'tempora-frontend',
    operation: 'WorkflowService/StartWorkflowExecution',
    tags: JSON.stringify({ 'temporal.workflow_id': workflowId }),
    limit: '20',
    lookback: '1h',
  });
  const response = await fetch(`${JAEGER}/api/traces?${query.toString()}`);
  if (!response.ok) throw new Error(`jaeger answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { data: JaegerTrace[] | null }).data ?? [];
}

describe('traces (start-dev with OTEL_EXPORTER_OTLP_ENDPOINT at a real Jaeger)', () => {
  let available = false;
  let server: Started | undefined;
  let connection: Connection | undefined;
  let worker: RunningWorker | undefined;
  let address = '';
  const taskQueue = uniqueName('tracing');

  beforeAll(async () => {
    available = await jaegerAvailable();
    if (!available) return;
    installRuntime();
    const dev = await devServerOnNewFile('tracing');
    address = dev.address;
    server = await startCli(dev.args, {
      OTEL_EXPORTER_OTLP_ENDPOINT: OTLP,
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
    connection = await Connection.connect({ address });
    worker = await runWorker(address, { taskQueue, workflowBundle: await bundleWorkflows() });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await connection?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
  }, 60_000);

  it('shows one workflow start as one trace across frontend, history and matching', async () => {
    if (!available) return;
    const client = new Client({ connection: connection!, namespace: 'default' });
    const workflowId = uniqueName('traced');
    const handle = await client.workflow.start('sleepWorkflow', { taskQueue, workflowId, args: [1] });
    await handle.result();

    let trace: JaegerTrace | undefined;
    let services = new Set<string>();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const traces = await findTraces(workflowId);
      trace = traces[0];
      services = new Set(Object.values(trace?.processes ?? {}).map((p) => p.serviceName));
      const names = new Set(trace?.spans.map((s) => s.operationName));
      if (traces.length === 1 && names.has('MatchingService/AddWorkflowTask')) break;
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(trace).toBeDefined();
    expect([...services].sort()).toEqual(['tempora-frontend', 'tempora-history', 'tempora-matching']);
    const spans = trace!.spans;
    const byName = (name: string) => spans.filter((s) => s.operationName === name);
    const service = (s: JaegerSpan) => trace!.processes[s.processID]!.serviceName;
    const parentOf = (s: JaegerSpan) =>
      spans.find((p) => p.spanID === s.references.find((r) => r.refType === 'CHILD_OF')?.spanID);

    // frontend SERVER -> frontend CLIENT -> history SERVER -> persistence; the transfer task -> matching.
    const [root] = byName('WorkflowService/StartWorkflowExecution');
    expect(root).toBeDefined();
    expect(tag(root!, 'span.kind')).toBe('server');
    expect(tag(root!, 'rpc.system')).toBe('grpc');
    expect(tag(root!, 'rpc.method')).toBe('StartWorkflowExecution');
    expect(tag(root!, 'rpc.grpc.status_code')).toBe(0);
    expect(tag(root!, 'temporal.namespace')).toBe('default');
    expect(tag(root!, 'temporal.workflow_id')).toBe(workflowId);
    expect(tag(root!, 'temporal.run_id')).toBe(handle.firstExecutionRunId);

    const historyServer = byName('HistoryService/StartWorkflowExecution').find((s) => tag(s, 'span.kind') === 'server');
    expect(historyServer && service(historyServer)).toBe('tempora-history');
    expect(tag(historyServer!, 'temporal.workflow_id')).toBe(workflowId);
    expect(parentOf(parentOf(historyServer!)!)?.spanID).toBe(root!.spanID);
    const writes = spans.filter((s) => s.operationName === 'persistence/CreateWorkflowExecution');
    expect(writes.length).toBe(1);
    expect(parentOf(writes[0]!)?.spanID).toBe(historyServer!.spanID);

    const matchingServer = byName('MatchingService/AddWorkflowTask').find((s) => tag(s, 'span.kind') === 'server');
    expect(matchingServer && service(matchingServer)).toBe('tempora-matching');
    expect(tag(matchingServer!, 'temporal.workflow_id')).toBe(workflowId);
    expect(tag(matchingServer!, 'temporal.run_id')).toBe(handle.firstExecutionRunId);
    expect(parentOf(parentOf(matchingServer!)!)?.operationName).toBe('TransferActiveTask');
  }, 90_000);
});

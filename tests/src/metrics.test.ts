// Metrics against real parts: a start-dev with --metrics-port runs workflows for the official TS SDK; /metrics shows
// upstream's names for the calls it made, and a real Prometheus (Debian's package, TEMPORA_TEST_PROMETHEUS) scrapes
// it and answers `sum by (operation)(service_requests)`, and the frontend's `client_requests` to history, with those
// calls.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { eventually, freePort, uniqueName } from './helpers.js';
import { startTestTarget, useSdkTarget } from './sdk-support.js';

const PROMETHEUS = process.env.TEMPORA_TEST_PROMETHEUS;

function prometheusAvailable(): boolean {
  if (PROMETHEUS) return true;
  const what = 'a Prometheus binary (TEMPORA_TEST_PROMETHEUS=$(deploy/local/prometheus.sh path))';
  if (process.env.CI === 'true') throw new Error(`metrics tests need ${what}`);
  console.log(`skipping the Prometheus scrape test: no ${what}`);
  return false;
}

let metricsPort = 0;
const taskQueue = uniqueName('metrics');
const sdk = useSdkTarget({
  taskQueue,
  start: async () => {
    metricsPort = await freePort();
    return startTestTarget({ metricsPort });
  },
});

const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();

describe('metrics (start-dev --metrics-port)', () => {
  it("serves upstream's metrics for the calls a worker made", async () => {
    for (let i = 0; i < 3; i++) {
      await sdk.client.workflow.execute('sleepWorkflow', { taskQueue, workflowId: uniqueName('wf'), args: [1] });
    }
    const terminated = await sdk.client.workflow.start('sleepWorkflow', {
      taskQueue,
      workflowId: uniqueName('wf'),
      args: [60_000],
    });
    await terminated.terminate('metrics test');
    await expect(sdk.client.workflow.getHandle('no-such-workflow').describe()).rejects.toThrow();

    const text = await scrape();
    expect(text).toContain('# TYPE service_requests counter');
    expect(text).toMatch(
      /^service_requests\{service_name="frontend",operation="StartWorkflowExecution",namespace="default"\} 4$/m,
    );
    expect(text).toMatch(/^service_requests\{service_name="history",operation="RecordWorkflowTaskStarted"/m);
    expect(text).toMatch(/^service_requests\{service_name="matching",operation="AddWorkflowTask"/m);
    expect(text).toMatch(/^service_errors\{service_name="frontend",operation="DescribeWorkflowExecution"/m);
    expect(text).toMatch(/^service_latency_bucket\{le="0\.001",service_name="frontend"/m);
    expect(text).toMatch(/^workflow_success\{[^}]*taskqueue="[^"]+"[^}]*\} 3$/m);
    expect(text).toMatch(/^workflow_terminate\{[^}]*\} 1$/m);
    expect(text).toMatch(/^poll_success\{service_name="matching"/m);
    expect(text).toMatch(/^task_schedule_to_start_latency_count\{/m);
    // Internal calls as the calling service's client sent them (upstream's client metrics).
    expect(text).toMatch(
      /^client_requests\{service_name="frontend",service_role="history",operation="HistoryClientStartWorkflowExecution",namespace="default"\} 4$/m,
    );
    expect(text).toMatch(
      /^client_requests\{service_name="history",service_role="matching",operation="MatchingClientAddWorkflowTask",namespace="default"\} [1-9]/m,
    );
    expect(text).toMatch(
      /^client_latency_count\{service_name="frontend",service_role="history",operation="HistoryClientStartWorkflowExecution",namespace="default"\} 4$/m,
    );
    expect(text).toMatch(
      /^client_errors\{service_name="frontend",service_role="history",operation="HistoryClientDescribeWorkflowExecution",namespace="default",error_type="serviceerror_NotFound"\} 1$/m,
    );
    expect(text).toMatch(/^persistence_requests\{service_name="history",operation="UpdateWorkflowExecution"/m);
    expect(text).toMatch(/^numshards_gauge\{service_name="history",operation="ShardController"\} \d+$/m);
    expect(text).toMatch(/^task_attempt_count\{/m);
    // Queue tasks by upstream's task type, not by queue.
    expect(text).toMatch(/^task_requests\{[^}]*operation="TransferActiveTaskWorkflowTask"[^}]*\} [1-9]/m);
    expect(text).toMatch(/^history_count_count\{/m);
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toContain('nodejs_heap_size_used_bytes');
  }, 60_000);

  it('a real Prometheus scrapes it and answers service_requests by operation', async () => {
    if (!prometheusAvailable()) return;
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'tempora-prometheus-'));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s }\nscrape_configs:\n  - job_name: tempora\n    static_configs: [{ targets: ['127.0.0.1:${metricsPort}'] }]\n`,
    );
    const prometheus: ChildProcess = spawn(
      PROMETHEUS!,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    try {
      const query = encodeURIComponent('sum by (operation) (service_requests{service_name="frontend"})');
      const byOperation = await eventually(async () => {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${query}`);
        const body = (await res.json()) as {
          data: { result: { metric: { operation: string }; value: [number, string] }[] };
        };
        const found = Object.fromEntries(body.data.result.map((r) => [r.metric.operation, Number(r.value[1])]));
        if (!found.StartWorkflowExecution) throw new Error('not scraped yet');
        return found;
      });
      expect(byOperation.StartWorkflowExecution).toBe(4);
      expect(byOperation.RespondWorkflowTaskCompleted).toBeGreaterThanOrEqual(3);
      expect(byOperation.PollWorkflowTaskQueue).toBeGreaterThanOrEqual(3);
      // The frontend's calls to history, as its history client counted them.
      const clientQuery = encodeURIComponent(
        'sum by (operation) (client_requests{service_name="frontend",service_role="history"})',
      );
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${clientQuery}`);
      const body = (await res.json()) as {
        data: { result: { metric: { operation: string }; value: [number, string] }[] };
      };
      const sent = Object.fromEntries(body.data.result.map((r) => [r.metric.operation, Number(r.value[1])]));
      expect(sent.HistoryClientStartWorkflowExecution).toBe(4);
    } finally {
      prometheus.kill('SIGTERM');
    }
  }, 60_000);
});

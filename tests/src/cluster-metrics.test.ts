// Metrics of a cluster (real processes, real Redis, a real Prometheus from TEMPORA_TEST_PROMETHEUS): frontend, history
// and matching each serve /metrics on their own port; one Prometheus scrapes the three, and `sum by (service_name)
// (service_requests)` names every service with the calls a workload made through it, as an operator's dashboard
// reads a cluster.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { redisAvailable, TestCluster, TEST_REDIS_URL, withWorkload } from './cluster-support.js';
import { eventually, freePort, uniqueName } from './helpers.js';

const PROMETHEUS = process.env.TEMPORA_TEST_PROMETHEUS;
if (!PROMETHEUS && process.env.CI === 'true') throw new Error('cluster metrics tests need TEMPORA_TEST_PROMETHEUS');
const describeCluster = PROMETHEUS && (await redisAvailable()) ? describe : describe.skip;

type Result = { metric: Record<string, string>; value: [number, string] }[];

describeCluster('metrics of a cluster, scraped by a real Prometheus', () => {
  const cluster = new TestCluster({ redisUrl: TEST_REDIS_URL, numHistoryShards: 4 });
  let prometheus: ChildProcess | undefined;
  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await cluster.stop();
  });

  it('shows each service with its own calls, one target per process', async () => {
    const ports = { frontend: await freePort(), history: await freePort(), matching: await freePort() };
    const metricsEnv = (service: keyof typeof ports) => ({
      [`TEMPORA_SERVICES__${service.toUpperCase()}__METRICS_PORT`]: String(ports[service]),
    });
    await Promise.all(
      (['frontend', 'history', 'matching'] as const).map((s) => cluster.start(s, { env: metricsEnv(s) })),
    );
    const promPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'tempora-prometheus-'));
    const targets = Object.values(ports).map((p) => `'127.0.0.1:${p}'`);
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s }\nscrape_configs:\n  - job_name: tempora\n    static_configs: [{ targets: [${targets.join(', ')}] }]\n`,
    );
    prometheus = spawn(
      PROMETHEUS!,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: 'ignore' },
    );

    await withWorkload(cluster, async ({ client, taskQueue }) => {
      for (let i = 0; i < 3; i++)
        await client.workflow.execute('helloWorkflow', { taskQueue, workflowId: uniqueName('metrics'), args: ['x'] });
    });

    const query = async (promql: string): Promise<Result> => {
      const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(promql)}`);
      return ((await res.json()) as { data: { result: Result } }).data.result;
    };
    const byService = await eventually(async () => {
      const result = await query('sum by (service_name, instance) (service_requests)');
      const found = Object.fromEntries(result.map((r) => [r.metric.service_name, r.metric.instance]));
      if (!found.frontend || !found.history || !found.matching) throw new Error('not scraped yet');
      return found;
    });
    // Each service's calls come from its own process (its own scrape target).
    expect(byService).toEqual({
      frontend: `127.0.0.1:${ports.frontend}`,
      history: `127.0.0.1:${ports.history}`,
      matching: `127.0.0.1:${ports.matching}`,
    });
    // The three starts, once a scrape after the workload reached Prometheus (a count that stays wrong fails here).
    const startsQuery =
      'sum(service_requests{service_name="frontend", operation="StartWorkflowExecution", namespace="default"})';
    const starts = await eventually(async () => {
      const count = Number((await query(startsQuery))[0]?.value[1]);
      if (count !== 3) throw new Error(`StartWorkflowExecution counted ${count}, not 3`);
      return count;
    });
    expect(starts).toBe(3);
    const dispatched = await query('sum(service_requests{service_name="matching", operation="AddWorkflowTask"})');
    expect(Number(dispatched[0]?.value[1])).toBeGreaterThanOrEqual(3);
    // The same starts as the frontend process's history client sent them over gRPC, from that process.
    const sent = await query(
      'sum by (instance) (client_requests{service_name="frontend", service_role="history", ' +
        'operation="HistoryClientStartWorkflowExecution"})',
    );
    expect(sent.map((r) => [r.metric.instance, r.value[1]])).toEqual([[`127.0.0.1:${ports.frontend}`, '3']]);
    const up = await query('up{job="tempora"}');
    expect(up.map((r) => r.value[1])).toEqual(['1', '1', '1']);
  }, 180_000);
});

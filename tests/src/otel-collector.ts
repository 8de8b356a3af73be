// A real OpenTelemetry Collector for a test: deploy/local/otelcol.sh's build (TEMPORA_TEST_OTELCOL = its path) on
// free ports, writing what it receives as OTLP JSON lines into a fresh directory the test reads back.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './helpers.js';

const BINARY = process.env.TEMPORA_TEST_OTELCOL;

/** Whether a collector binary is given; in CI its absence is a failure. */
export function collectorAvailable(): boolean {
  if (BINARY) return true;
  const what = 'an OpenTelemetry Collector (TEMPORA_TEST_OTELCOL=$(deploy/local/otelcol.sh path))';
  if (process.env.CI === 'true') throw new Error(`OTLP tests need ${what}`);
  console.log(`skipping the OTLP tests: no ${what}`);
  return false;
}

/** An OTLP attribute as the JSON encoding writes it. */
export interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string; doubleValue?: number; boolValue?: boolean };
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** 1 internal, 2 server, 3 client. */
  kind: number;
  attributes?: OtlpAttribute[];
  /** The service.name of the resource that sent it (added when read). */
  service: string;
}

export interface OtlpDataPoint {
  attributes?: OtlpAttribute[];
  asDouble?: number;
  asInt?: string;
}

export interface OtlpMetric {
  name: string;
  service: string;
  sum?: { dataPoints: OtlpDataPoint[] };
  gauge?: { dataPoints: OtlpDataPoint[] };
  histogram?: { dataPoints: OtlpDataPoint[] };
}

export const attribute = (attributes: OtlpAttribute[] | undefined, key: string) => {
  const value = attributes?.find((a) => a.key === key)?.value;
  return value?.stringValue ?? value?.intValue ?? value?.doubleValue ?? value?.boolValue;
};

interface Resource {
  resource?: { attributes?: OtlpAttribute[] };
}

export interface Collector {
  /** OTLP/HTTP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT). */
  endpoint: string;
  spans(): OtlpSpan[];
  metrics(): OtlpMetric[];
  stop(): Promise<void>;
}

function lines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}

export async function startCollector(): Promise<Collector> {
  const dir = mkdtempSync(join(tmpdir(), 'tempora-otelcol-'));
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const config = join(dir, 'otelcol.yaml');
  writeFileSync(
    config,
    [
      'receivers:',
      '  otlp:',
      '    protocols:',
      `      grpc: { endpoint: 127.0.0.1:${grpcPort} }`,
      `      http: { endpoint: 127.0.0.1:${httpPort} }`,
      'exporters:',
      `  file/traces: { path: ${join(dir, 'traces.jsonl')}, flush_interval: 100ms }`,
      `  file/metrics: { path: ${join(dir, 'metrics.jsonl')}, flush_interval: 100ms }`,
      'service:',
      '  pipelines:',
      '    traces: { receivers: [otlp], exporters: [file/traces] }',
      '    metrics: { receivers: [otlp], exporters: [file/metrics] }',
      '',
    ].join('\n'),
  );
  const child = spawn(BINARY!, ['--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the collector exited: ${log}`);
    try {
      const probe = await fetch(`${endpoint}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      if (probe.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the collector did not answer on ${endpoint}: ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const serviceOf = (r: Resource) => String(attribute(r.resource?.attributes, 'service.name') ?? '');
  return {
    endpoint,
    spans: () =>
      lines<{ resourceSpans?: (Resource & { scopeSpans?: { spans?: Omit<OtlpSpan, 'service'>[] }[] })[] }>(
        join(dir, 'traces.jsonl'),
      ).flatMap((batch) =>
        (batch.resourceSpans ?? []).flatMap((r) =>
          (r.scopeSpans ?? []).flatMap((s) => (s.spans ?? []).map((span) => ({ ...span, service: serviceOf(r) }))),
        ),
      ),
    metrics: () =>
      lines<{ resourceMetrics?: (Resource & { scopeMetrics?: { metrics?: Omit<OtlpMetric, 'service'>[] }[] })[] }>(
        join(dir, 'metrics.jsonl'),
      ).flatMap((batch) =>
        (batch.resourceMetrics ?? []).flatMap((r) =>
          (r.scopeMetrics ?? []).flatMap((s) => (s.metrics ?? []).map((m) => ({ ...m, service: serviceOf(r) }))),
        ),
      ),
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

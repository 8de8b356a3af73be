// The OpenTelemetry SDK side of OTLP metrics (see otlp-metrics.ts), loaded by startOtlpMetrics only when the
// environment asks for OTLP metrics.
import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type CollectionResult,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import type { Registry } from 'prom-client';

type Env = Record<string, string | undefined>;

const hrTime = (ms: number): HrTime => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];

interface PromValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}
interface PromMetric {
  name: string;
  help: string;
  type: string;
  values: PromValue[];
}

/** The registry's current values as OTLP metric data (summaries are left out: OTLP has no faithful equivalent). */
function registryProducer(registry: Registry, startMs = Date.now()): MetricProducer {
  const startTime = hrTime(startMs);
  return {
    collect: async (): Promise<CollectionResult> => {
      const endTime = hrTime(Date.now());
      const metrics: MetricData[] = [];
      for (const m of (await registry.getMetricsAsJSON()) as unknown as PromMetric[]) {
        const descriptor = { name: m.name, description: m.help, unit: '', valueType: ValueType.DOUBLE };
        const point = (v: PromValue) => ({ startTime, endTime, attributes: v.labels as Attributes, value: v.value });
        if (m.type === 'counter') {
          metrics.push({
            descriptor,
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.SUM,
            isMonotonic: true,
            dataPoints: m.values.map(point),
          });
        } else if (m.type === 'gauge') {
          metrics.push({
            descriptor,
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.GAUGE,
            dataPoints: m.values.map(point),
          });
        } else if (m.type === 'histogram') {
          metrics.push({
            descriptor,
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.HISTOGRAM,
            dataPoints: histogramPoints(m, startTime, endTime),
          });
        }
      }
      return {
        resourceMetrics: {
          resource: resourceFromAttributes({}),
          scopeMetrics: [{ scope: { name: 'prom-client' }, metrics }],
        },
        errors: [],
      };
    },
  };
}

/** prom-client's cumulative `le` buckets per label set -> OTLP bounds and per-bucket counts. */
function histogramPoints(m: PromMetric, startTime: HrTime, endTime: HrTime) {
  const series = new Map<string, { attributes: Attributes; buckets: [number, number][]; sum: number; count: number }>();
  for (const v of m.values) {
    const { le, ...labels } = v.labels;
    const key = JSON.stringify(Object.entries(labels).sort());
    let s = series.get(key);
    if (!s) series.set(key, (s = { attributes: labels, buckets: [], sum: 0, count: 0 }));
    if (v.metricName?.endsWith('_bucket')) s.buckets.push([le === '+Inf' ? Infinity : Number(le), v.value]);
    else if (v.metricName?.endsWith('_sum')) s.sum = v.value;
    else if (v.metricName?.endsWith('_count')) s.count = v.value;
  }
  return [...series.values()].map((s) => {
    s.buckets.sort((a, b) => a[0] - b[0]);
    const boundaries = s.buckets.filter(([le]) => le !== Infinity).map(([le]) => le);
    const counts: number[] = [];
    let previous = 0;
    for (const [, cumulative] of s.buckets) {
      counts.push(cumulative - previous);
      previous = cumulative;
    }
    if (counts.length === boundaries.length) counts.push(s.count - previous);
    return {
      startTime,
      endTime,
      attributes: s.attributes,
      value: { buckets: { boundaries, counts }, sum: s.sum, count: s.count },
    };
  });
}

/** Pushes `registry` over OTLP, as the environment configures it. */
export function pushOverOtlp(registry: Registry, serviceName: string, env: Env): { shutdown(): Promise<void> } {
  const protocol = (
    env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL ??
    env.OTEL_EXPORTER_OTLP_PROTOCOL ??
    'http/protobuf'
  ).trim();
  const exporter = protocol === 'grpc' ? new GrpcMetricExporter() : new ProtoMetricExporter();
  const interval = Number(env.OTEL_METRIC_EXPORT_INTERVAL) || 60_000;
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: interval,
    exportTimeoutMillis: Math.min(Number(env.OTEL_METRIC_EXPORT_TIMEOUT) || 30_000, interval),
    metricProducers: [registryProducer(registry)],
  });
  const prefix = env.OTEL_SERVICE_NAME?.trim() || 'tempora';
  const provider = new MeterProvider({
    resource: detectResources({ detectors: [envDetector] }).merge(
      resourceFromAttributes({ 'service.name': serviceName, 'service.namespace': prefix }),
    ),
    readers: [reader],
  });
  return { shutdown: () => provider.shutdown() };
}

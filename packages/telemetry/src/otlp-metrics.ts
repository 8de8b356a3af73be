// Metrics over OTLP, when the standard variables ask for it (OTEL_METRICS_EXPORTER=otlp, or an
// OTEL_EXPORTER_OTLP_(METRICS_)ENDPOINT; OTEL_SDK_DISABLED=true wins). The prom-client registry stays the one source:
// a MetricProducer converts its current values (counters -> cumulative monotonic sums, gauges -> gauges,
// histograms -> explicit-bucket histograms with the same bounds) and a PeriodicExportingMetricReader pushes them
// every OTEL_METRIC_EXPORT_INTERVAL ms (default 60000) with the OTLP exporter of OTEL_EXPORTER_OTLP_(METRICS_)PROTOCOL
// (http/protobuf default, grpc). Names, labels and buckets are exactly the /metrics ones.
import type { Registry } from 'prom-client';

type Env = Record<string, string | undefined>;

/** Whether the environment asks for metrics over OTLP. */
export function otlpMetricsRequested(env: Env = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const named = (env.OTEL_METRICS_EXPORTER ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (named.length) return named.includes('otlp');
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT);
}

export interface OtlpMetricsHandle {
  shutdown(): Promise<void>;
}

/**
 * Pushes `registry` over OTLP when the environment asks for it; undefined otherwise. The SDK and exporters are
 * loaded only then.
 */
export async function startOtlpMetrics(
  registry: Registry,
  serviceName: string,
  env: Env = process.env,
): Promise<OtlpMetricsHandle | undefined> {
  if (!otlpMetricsRequested(env)) return undefined;
  const { pushOverOtlp } = await import('./otlp-metrics-sdk.js');
  return pushOverOtlp(registry, serviceName, env);
}

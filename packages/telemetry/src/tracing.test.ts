// Tracing is off unless the standard OTEL_* variables ask for it, and off installs nothing: no tracer provider, no
// interceptor, no store wrapper. The sampler follows OTEL_TRACES_SAMPLER(_ARG).
import { describe, expect, it } from '@jest/globals';
import { ProxyTracerProvider, trace } from '@opentelemetry/api';
import type { PersistenceStores } from '@tempora/persistence';
import { NOOP_METRICS } from './metrics.js';
import { instrumentStores } from './persistence.js';
import {
  detached,
  startTracing,
  traceTasks,
  tracesExporterFromEnv,
  tracingEnabled,
  tracingInterceptor,
  withChildSpan,
} from './tracing.js';
import { samplerFromEnv } from './tracing-sdk.js';

describe('tracing configuration', () => {
  it('is off with no OTEL_* variables, and then installs no tracer provider', async () => {
    expect(tracesExporterFromEnv({})).toBeUndefined();
    expect(await startTracing({})).toBeUndefined();
    expect(tracingEnabled()).toBe(false);
    const provider = trace.getTracerProvider();
    expect(provider).toBeInstanceOf(ProxyTracerProvider);
    expect((provider as ProxyTracerProvider).getDelegateTracer('x')).toBeUndefined();
    expect(tracingInterceptor({ service: 'frontend' })).toBeUndefined();
    const stores = { close: async () => undefined } as unknown as PersistenceStores;
    expect(instrumentStores(stores, { service: 'history', metrics: NOOP_METRICS })).toBe(stores);
    const executor = async () => undefined;
    expect(traceTasks('history', 'TransferActiveTask', executor)).toBe(executor);
    await expect(withChildSpan('history', 'x', {}, async () => 7)).resolves.toBe(7);
    expect(detached(() => 8)).toBe(8);
  });

  it('reads the standard variables', () => {
    expect(tracesExporterFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe('otlp');
    expect(tracesExporterFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).toBe(
      'otlp',
    );
    expect(tracesExporterFromEnv({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe('otlp');
    expect(tracesExporterFromEnv({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'x' })).toBeUndefined();
    expect(tracesExporterFromEnv({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBeUndefined();
    expect(tracesExporterFromEnv({ OTEL_TRACES_EXPORTER: 'console' })).toBe('console');
    expect(samplerFromEnv({}).toString()).toMatch(/ParentBased\{root=AlwaysOnSampler/);
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_off' }).toString()).toBe('AlwaysOffSampler');
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }).toString()).toBe(
      'TraceIdRatioBased{0.25}',
    );
  });
});

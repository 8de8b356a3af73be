// The OpenTelemetry SDK side of tracing (see tracing.ts): the sampler, the exporter, the batch processor, the
// providers' resource and the context manager. Loaded by startTracing only when tracing is on.
import { context, type TextMapPropagator } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { batchOptionsFromEnv } from './tracing.js';

type Env = Record<string, string | undefined>;

/** OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, as the specification names them (default parentbased_always_on). */
export function samplerFromEnv(env: Env = process.env): Sampler {
  const name = (env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on').trim().toLowerCase();
  const arg = Number(env.OTEL_TRACES_SAMPLER_ARG);
  const ratio = Number.isFinite(arg) && arg >= 0 && arg <= 1 && env.OTEL_TRACES_SAMPLER_ARG !== undefined ? arg : 1;
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

function spanExporter(kind: 'otlp' | 'console', env: Env): SpanExporter {
  if (kind === 'console') return new ConsoleSpanExporter();
  const protocol = (
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ??
    env.OTEL_EXPORTER_OTLP_PROTOCOL ??
    'http/protobuf'
  ).trim();
  return protocol === 'grpc' ? new GrpcTraceExporter() : new ProtoTraceExporter();
}

/** Installs the context manager and builds the shared processor; one provider per service comes from makeProvider. */
export function installTracing(
  kind: 'otlp' | 'console',
  env: Env,
): { processor: SpanProcessor; makeProvider: (service: string) => TracerProvider; propagator: TextMapPropagator } {
  const processor = new BatchSpanProcessor({ exporter: spanExporter(kind, env), ...batchOptionsFromEnv(env) });
  const sampler = samplerFromEnv(env);
  const fromEnv = detectResources({ detectors: [envDetector] });
  const prefix = env.OTEL_SERVICE_NAME?.trim() || 'tempora';
  const makeProvider = (service: string) =>
    new TracerProvider({
      sampler,
      resource: fromEnv.merge(
        resourceFromAttributes({
          'service.name': `${prefix}-${service}`,
          'service.namespace': prefix,
          'tempora.service': service,
        }),
      ),
      spanProcessors: [processor],
    });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  return { processor, makeProvider, propagator: new W3CTraceContextPropagator() };
}

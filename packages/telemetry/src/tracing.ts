// Traces over OpenTelemetry, off unless the standard OTEL_* variables ask for them (OTEL_TRACES_EXPORTER=otlp, or an
// OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT; OTEL_SDK_DISABLED=true wins). Off, nothing is installed: no tracer provider,
// no context manager, the interceptors are left out of the pipelines and the stores are not wrapped for spans.
//
// On: one TracerProvider per Tempora service hosted here (service.name `tempora-frontend`, `tempora-history`, ...,
// so a start-dev process reads in Jaeger like a cluster), sharing one batch processor and one OTLP exporter
// (http/protobuf by default, grpc by OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL; the exporter reads its own endpoint,
// headers and timeout variables). The AsyncLocalStorage context manager carries the active span through awaits.
//
// Spans: a SERVER span per served call and a CLIENT span per internal call sent (over gRPC or in process), named
// `Service/Method`; the W3C traceparent goes in the call's metadata, so frontend -> history -> matching is one trace
// within a process and across processes. Persistence calls made under a span get a CLIENT child span each. Transfer
// tasks (history -> matching dispatch) run under the context of the request that wrote them (remembered per run,
// in memory, bounded), as an INTERNAL span named after the task executor.
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  createContextKey,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  type Tracer,
} from '@opentelemetry/api';
import type { SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { Code, RpcError, type Interceptor, type RpcCall } from '@tempora/rpc';

type Env = Record<string, string | undefined>;
/** gRPC metadata, as calls carry it. */
type Metadata = RpcCall['metadata'];

const truthy = (v: string | undefined) => v?.trim().toLowerCase() === 'true';
const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);

/** The span exporter the environment asks for: 'otlp', 'console', or undefined (tracing off). */
export function tracesExporterFromEnv(env: Env = process.env): 'otlp' | 'console' | undefined {
  if (truthy(env.OTEL_SDK_DISABLED)) return undefined;
  const named = list(env.OTEL_TRACES_EXPORTER);
  if (named.includes('none')) return undefined;
  if (named.includes('otlp')) return 'otlp';
  if (named.includes('console')) return 'console';
  if (named.length) return undefined;
  return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? 'otlp' : undefined;
}

const positive = (v: string | undefined) => {
  const n = Number(v);
  return v !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
};

/**
 * The batch processor's settings: OTEL_BSP_* as the specification names them (the SDK does not read them itself).
 * Defaults differ from the SDK's (queue 2048, batch 512) where tracing at 100% sampling needs it: a loaded server
 * ends a couple of thousand spans a second, which overflowed (dropped) a 2048-span queue between exports, and
 * fewer, larger export requests cost less per span.
 */
export function batchOptionsFromEnv(env: Env = process.env) {
  const maxQueueSize = positive(env.OTEL_BSP_MAX_QUEUE_SIZE) ?? 16_384;
  return {
    maxQueueSize,
    maxExportBatchSize: Math.min(positive(env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE) ?? 4096, maxQueueSize),
    scheduledDelayMillis: positive(env.OTEL_BSP_SCHEDULE_DELAY) ?? 5000,
    exportTimeoutMillis: positive(env.OTEL_BSP_EXPORT_TIMEOUT) ?? 30_000,
  };
}

interface TracingState {
  providers: Map<string, TracerProvider>;
  tracers: Map<string, Tracer>;
  processor: SpanProcessor;
  makeProvider: (service: string) => TracerProvider;
  /** W3C traceparent, into and out of the metadata of calls between processes. */
  propagator: TextMapPropagator;
  users: number;
}

let state: TracingState | undefined;

/** Whether tracing is on in this process (a tracer provider is installed). */
export function tracingEnabled(): boolean {
  return state !== undefined;
}

export interface TracingHandle {
  /** Flushes what is buffered and, for the last user, shuts the providers down. */
  shutdown(): Promise<void>;
}

/**
 * Starts tracing for this process when the environment asks for it; undefined (and nothing installed) otherwise.
 * Several processes in one Node process (tests) share one installation; the last shutdown removes it. The SDK and
 * its exporters are loaded only then: they are most of the modules a server would otherwise load at start.
 */
export async function startTracing(env: Env = process.env): Promise<TracingHandle | undefined> {
  const kind = tracesExporterFromEnv(env);
  if (!kind) return undefined;
  const { installTracing } = await import('./tracing-sdk.js');
  state ??= { providers: new Map(), tracers: new Map(), users: 0, ...installTracing(kind, env) };
  const installed = state;
  installed.users++;
  let done = false;
  return {
    shutdown: async () => {
      if (done) return;
      done = true;
      if (--installed.users > 0) {
        await installed.processor.forceFlush();
        return;
      }
      if (state === installed) state = undefined;
      await Promise.all([...installed.providers.values()].map((p) => p.shutdown()));
      context.disable();
    },
  };
}

/** The tracer of a Tempora service ('frontend', 'history', ...), or undefined when tracing is off. */
export function tracerFor(service: string): Tracer | undefined {
  const s = state;
  if (!s) return undefined;
  let tracer = s.tracers.get(service);
  if (!tracer) {
    let provider = s.providers.get(service);
    if (!provider) s.providers.set(service, (provider = s.makeProvider(service)));
    tracer = provider.getTracer('@tempora/telemetry');
    s.tracers.set(service, tracer);
  }
  return tracer;
}

/** The Tempora service whose code is running (set by the server span), for the tracer of client spans. */
const SERVICE_KEY = createContextKey('tempora.service');

const getter: TextMapGetter<Metadata> = {
  keys: (carrier) => Object.keys(carrier.getMap()),
  get: (carrier, key) => {
    const values = carrier.get(key);
    return values.length ? values.map(String) : undefined;
  },
};
const setter: TextMapSetter<Metadata> = { set: (carrier, key, value) => carrier.set(key, value) };

/** Codes that mark a server span as an error (the OpenTelemetry gRPC conventions); client spans: any non-OK. */
const SERVER_ERRORS = new Set<number>([
  Code.UNKNOWN,
  Code.DEADLINE_EXCEEDED,
  Code.UNIMPLEMENTED,
  Code.INTERNAL,
  Code.UNAVAILABLE,
  Code.DATA_LOSS,
]);

export interface TracingInterceptorOptions {
  /** The service this pipeline belongs to: the served service, or the target of sent calls. */
  service: string;
  /** The name of a namespace id (internal calls name only the id). */
  namespaceName?: (id: string) => string | undefined;
}

/** rpc.service by "Service/Method" (split once per method, not per call). */
const rpcServices = new Map<string, string>();

function callAttributes(call: RpcCall, namespaceName?: (id: string) => string | undefined): Attributes {
  let rpcService = rpcServices.get(call.qualified);
  if (rpcService === undefined)
    rpcServices.set(call.qualified, (rpcService = call.qualified.split('/')[0] || call.service));
  const attributes: Attributes = {
    'rpc.system': 'grpc',
    'rpc.service': rpcService,
    'rpc.method': call.method,
    'tempora.service': call.service,
    'tempora.transport': call.transport,
  };
  const namespace = call.namespace || (call.namespaceId && namespaceName?.(call.namespaceId)) || '';
  if (namespace) attributes['temporal.namespace'] = namespace;
  if (call.namespaceId) attributes['temporal.namespace_id'] = call.namespaceId;
  const workflowId = call.workflowId;
  if (workflowId) attributes['temporal.workflow_id'] = workflowId;
  const runId = call.runId;
  if (runId) attributes['temporal.run_id'] = runId;
  return attributes;
}

function finish(span: Span, response: unknown, hadRunId: boolean): void {
  span.setAttribute('rpc.grpc.status_code', Code.OK);
  if (!hadRunId) {
    const runId = (response as { runId?: unknown } | undefined)?.runId;
    if (typeof runId === 'string' && runId) span.setAttribute('temporal.run_id', runId);
  }
  span.end();
}

function fail(span: Span, side: 'server' | 'client', err: unknown): void {
  const code = err instanceof RpcError ? err.code : Code.UNKNOWN;
  span.setAttribute('rpc.grpc.status_code', code);
  if (side === 'client' || SERVER_ERRORS.has(code)) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
  }
  span.end();
}

/**
 * The tracing interceptor: first in every served and sent pipeline when tracing is on (undefined when off, so the
 * pipelines do not have it at all). Server side: extracts the caller's W3C context from the metadata and runs the
 * call under a SERVER span. Client side: a CLIENT span under the active context, its traceparent injected into
 * the metadata that goes on the wire (or across to the in-process server pipeline).
 */
export function tracingInterceptor(options: TracingInterceptorOptions): Interceptor | undefined {
  if (!state) return undefined;
  const { propagator } = state;
  const { service, namespaceName } = options;
  const serverTracer = tracerFor(service)!;
  return (next) => async (call) => {
    if (call.side === 'server') {
      // In process, the caller's CLIENT span is already the active context (the call is a function call under it),
      // so the traceparent is neither written nor parsed: that was a fifth of the tracing cost on start-dev.
      const parent =
        call.transport !== 'in-process' && call.hasMetadata
          ? propagator.extract(context.active(), call.metadata, getter)
          : context.active();
      const attributes = callAttributes(call, namespaceName);
      const span = serverTracer.startSpan(call.qualified, { kind: SpanKind.SERVER, attributes }, parent);
      const active = trace.setSpan(parent, span).setValue(SERVICE_KEY, service);
      try {
        const response = await context.with(active, next, undefined, call);
        finish(span, response, 'temporal.run_id' in attributes);
        return response;
      } catch (err) {
        fail(span, 'server', err);
        throw err;
      }
    }
    const parent = context.active();
    const caller = parent.getValue(SERVICE_KEY);
    const tracer = (typeof caller === 'string' && tracerFor(caller)) || serverTracer;
    const attributes = callAttributes(call, namespaceName);
    const span = tracer.startSpan(call.qualified, { kind: SpanKind.CLIENT, attributes }, parent);
    const active = trace.setSpan(parent, span);
    if (call.transport !== 'in-process') propagator.inject(active, call.metadata, setter);
    try {
      const response = await context.with(active, next, undefined, call);
      finish(span, response, 'temporal.run_id' in attributes);
      return response;
    } catch (err) {
      fail(span, 'client', err);
      throw err;
    }
  };
}

/**
 * Runs `fn` as a CLIENT child span of the active span, when tracing is on and a span is active. A leaf: `fn` runs
 * under the caller's context, not the child's (nothing below a store call makes spans), which saves a context switch
 * per persistence call.
 */
export function withChildSpan<T>(
  service: string,
  name: string,
  attributes: Attributes,
  fn: () => Promise<T>,
): Promise<T> {
  const tracer = state && tracerFor(service);
  if (!tracer) return fn();
  const parent = context.active();
  if (!trace.getSpan(parent)) return fn();
  const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
  return fn().then(
    (value) => {
      span.end();
      return value;
    },
    (err: unknown) => {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
      span.end();
      throw err;
    },
  );
}

/** How many runs' contexts are remembered for their transfer tasks (the oldest are forgotten first). */
const REMEMBERED_RUNS = 10_000;
const runContexts = new Map<string, Context>();
const runKey = (namespaceId: string, workflowId: string, runId: string) => `${namespaceId}/${workflowId}/${runId}`;

/**
 * Remembers the active trace context as the one the run's transfer tasks continue (history calls this when a
 * write adds transfer tasks). No-op when tracing is off or no span is active.
 */
export function rememberRunContext(namespaceId: string, workflowId: string, runId: string): void {
  if (!state) return;
  const active = context.active();
  if (!trace.getSpan(active)) return;
  const key = runKey(namespaceId, workflowId, runId);
  runContexts.delete(key);
  runContexts.set(key, active);
  if (runContexts.size > REMEMBERED_RUNS) runContexts.delete(runContexts.keys().next().value!);
}

/**
 * Wraps a history task executor: a task of a run whose writer's context is remembered runs as an INTERNAL span
 * `name` in that trace (so the matching dispatch it makes joins the request's trace). Off: `executor` itself.
 */
export function traceTasks<T extends { namespaceId: string; workflowId: string; runId: string }>(
  service: string,
  name: string,
  executor: (task: T) => Promise<void>,
): (task: T) => Promise<void> {
  if (!state) return executor;
  return (task) => {
    const parent = runContexts.get(runKey(task.namespaceId, task.workflowId, task.runId));
    const tracer = tracerFor(service);
    if (!parent || !tracer) return executor(task);
    const span = tracer.startSpan(
      name,
      {
        kind: SpanKind.INTERNAL,
        attributes: { 'temporal.workflow_id': task.workflowId, 'temporal.run_id': task.runId },
      },
      parent,
    );
    const active = trace.setSpan(parent, span).setValue(SERVICE_KEY, service);
    return context.with(active, executor, undefined, task).then(
      () => span.end(),
      (err: unknown) => {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
        span.end();
        throw err;
      },
    );
  };
}

/** Runs `fn` outside any trace (for work a request starts that outlives it, such as waking a queue loop). */
export function detached<T>(fn: () => T): T {
  return state ? context.with(ROOT_CONTEXT, fn) : fn();
}

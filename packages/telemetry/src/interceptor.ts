// The telemetry interceptor: first in every served-call pipeline. Per call it counts service_requests, times
// service_latency and, on failure, counts service_errors / service_error_with_type (upstream's names and tags:
// operation, namespace, service_name). It also writes the request log: one line per failed call and per slow call
// (long polls excluded), with namespace, workflow id, run id, method, status and duration.
import type { Logger } from '@tempora/common';
import { Code, RpcError, type Interceptor, type RpcCall } from '@tempora/rpc';
import { NOOP_METRICS, errorType, type Metrics } from './metrics.js';

export interface TelemetryInterceptorOptions {
  /** The served service ('frontend', 'history', ...): service_name. */
  service: string;
  metrics?: Metrics;
  /** Request logs; none = no request logging. */
  logger?: Logger;
  /** Calls slower than this are logged (warn); 0 = never. Long polls are never "slow". */
  slowRequestMs?: number;
  /** The name of a namespace id (internal calls name only the id); undefined when not known yet. */
  namespaceName?: (id: string) => string | undefined;
}

/** upstream's namespace tag when a call names none. */
export const UNKNOWN_NAMESPACE = '_unknown_';

/** Calls that wait for something to happen by design: their duration says nothing about the server's health. */
const LONG_POLLS = new Set([
  'PollWorkflowTaskQueue',
  'PollActivityTaskQueue',
  'PollNexusTaskQueue',
  'PollWorkflowExecutionUpdate',
  'PollMutableState',
  'UpdateWorkflowExecution',
  'UpdateWithStartWorkflowExecution',
  'ExecuteMultiOperation',
  'QueryWorkflow',
  'DispatchQueryTask',
]);

function isLongPoll(call: RpcCall): boolean {
  if (LONG_POLLS.has(call.method)) return true;
  if (call.method !== 'GetWorkflowExecutionHistory') return false;
  const r = call.request as { waitNewEvent?: boolean; request?: { waitNewEvent?: boolean } } | undefined;
  return Boolean(r?.waitNewEvent ?? r?.request?.waitNewEvent);
}

/** Codes that mean the server (not the caller) is at fault. */
const SERVER_FAULTS = new Set<number>([Code.INTERNAL, Code.UNKNOWN, Code.DATA_LOSS]);
/** Codes an operator should see, but that are not bugs. */
const WARNINGS = new Set<number>([Code.UNIMPLEMENTED, Code.UNAVAILABLE, Code.RESOURCE_EXHAUSTED]);

const STATUS_TEXT: Record<number, string> = Object.fromEntries(
  Object.entries(Code)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [v as number, k]),
);

export function telemetryInterceptor(options: TelemetryInterceptorOptions): Interceptor {
  const metrics = (options.metrics ?? NOOP_METRICS).withTags({ service_name: options.service });
  const requests = metrics.counter('service_requests');
  const errors = metrics.counter('service_errors');
  const errorsWithType = metrics.counter('service_error_with_type');
  const latency = metrics.histogram('service_latency');
  const logger = options.logger;
  const slowMs = options.slowRequestMs ?? 0;
  // Expected failures (a caller's mistake) are logged once, by the frontend that answered the client; internal
  // services log only what the frontend cannot explain (server faults, warnings), so one request is one line.
  const edge = options.service === 'frontend';
  const namespaceOf = (call: RpcCall): string => {
    const name = call.namespace;
    if (name) return name;
    const id = call.namespaceId;
    return (id && options.namespaceName?.(id)) || UNKNOWN_NAMESPACE;
  };
  const measured = metrics.enabled;
  if (!measured && !logger) return (next) => next;

  const log = (call: RpcCall, ms: number, err: RpcError | undefined, namespace: string) => {
    if (!logger) return;
    const code = err?.code ?? Code.OK;
    let level: 'error' | 'warn' | 'info' | 'debug';
    if (!err) level = 'warn';
    else if (SERVER_FAULTS.has(code)) level = 'error';
    else if (WARNINGS.has(code)) level = 'warn';
    else if (isLongPoll(call) && (code === Code.DEADLINE_EXCEEDED || code === Code.CANCELLED)) level = 'debug';
    else level = edge ? 'info' : 'debug';
    if (!logger.isLevelEnabled(level)) return;
    logger[level](
      {
        service: options.service,
        method: call.qualified,
        namespace,
        workflowId: call.workflowId || undefined,
        runId: call.runId || undefined,
        status: STATUS_TEXT[code] ?? String(code),
        durationMs: Math.round(ms * 10) / 10,
        ...(err ? { error: err.message } : {}),
      },
      err ? 'request failed' : 'slow request',
    );
  };

  return (next) => async (call) => {
    if (call.side !== 'server') return next(call);
    const start = performance.now();
    try {
      const response = await next(call);
      const ms = performance.now() - start;
      if (measured) {
        const tags = { operation: call.method, namespace: namespaceOf(call) };
        requests.add(1, tags);
        latency.record(ms / 1000, tags);
      }
      if (slowMs > 0 && ms >= slowMs && !isLongPoll(call)) log(call, ms, undefined, namespaceOf(call));
      return response;
    } catch (err) {
      const ms = performance.now() - start;
      const rpcError = err instanceof RpcError ? err : new RpcError(Code.INTERNAL, String(err));
      const namespace = namespaceOf(call);
      if (measured) {
        const tags = { operation: call.method, namespace };
        requests.add(1, tags);
        latency.record(ms / 1000, tags);
        errors.add(1, tags);
        errorsWithType.add(1, { ...tags, error_type: errorType(rpcError.code) });
      }
      log(call, ms, rpcError, namespace);
      throw err;
    }
  };
}

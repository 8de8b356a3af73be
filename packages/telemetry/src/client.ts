// Internal-client metrics, as upstream's client/history and client/matching metric clients emit them: per call
// client_requests and client_latency, and on failure client_errors (with error_type), tagged operation
// ("HistoryClientStartWorkflowExecution", "MatchingClientAddWorkflowTask", ...), namespace (the namespace the call
// is for), service_role (the called service) and service_name (the calling service). Upstream builds one metric
// client per process, and each process runs one service; a Tempora process may host several services sharing one
// client, so each calling service gets its own thin view of the shared client instead (built once, at wiring).
import { Code, RpcError, methodNames } from '@tempora/rpc';
import { UNKNOWN_NAMESPACE } from './interceptor.js';
import { errorType, type Metrics } from './metrics.js';

/** The called services and their operation prefixes (upstream's <Role>Client<Method> scope names). */
const PREFIXES = { history: 'HistoryClient', matching: 'MatchingClient' } as const;

export interface ClientMetricsOptions {
  /** The calling service: service_name. */
  caller: string;
  /** The called service: service_role, and the operation prefix. */
  target: keyof typeof PREFIXES;
  /** The client's service definition (generated `XxxService`), for the method names. */
  definition: Readonly<Record<string, { path: string }>>;
  metrics: Metrics;
  /** The name of a namespace id (internal requests name only the id). */
  namespaceName?: (id: string) => string | undefined;
}

interface NamespacedRequest {
  namespace?: unknown;
  namespaceId?: unknown;
}

type Method = (request: unknown, options?: unknown) => Promise<unknown>;

/** `client` itself when metrics are off; else a view of it whose calls are measured. close() and the rest are its own. */
export function measureClient<C extends object>(client: C, options: ClientMetricsOptions): C {
  if (!options.metrics.enabled) return client;
  const m = options.metrics.withTags({ service_name: options.caller, service_role: options.target });
  const requests = m.counter('client_requests');
  const errors = m.counter('client_errors');
  const latency = m.histogram('client_latency');
  const prefix = PREFIXES[options.target];
  const namespaceOf = (request: NamespacedRequest | undefined): string => {
    const name = request?.namespace;
    if (typeof name === 'string' && name) return name;
    const id = request?.namespaceId;
    return (typeof id === 'string' && id && options.namespaceName?.(id)) || UNKNOWN_NAMESPACE;
  };
  const view = Object.create(client) as Record<string, Method>;
  for (const [key, method] of Object.entries(options.definition)) {
    const send = (client as Record<string, Method | undefined>)[key];
    if (typeof send !== 'function') continue;
    const operation = prefix + methodNames(method.path).method;
    view[key] = async (request, callOptions) => {
      const tags = { operation, namespace: namespaceOf(request as NamespacedRequest | undefined) };
      requests.add(1, tags);
      const start = performance.now();
      try {
        return await send.call(client, request, callOptions);
      } catch (err) {
        const code = err instanceof RpcError ? err.code : Code.UNKNOWN;
        errors.add(1, { ...tags, error_type: errorType(code) });
        throw err;
      } finally {
        latency.record((performance.now() - start) / 1000, tags);
      }
    };
  }
  return view as unknown as C;
}

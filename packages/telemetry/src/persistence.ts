// Persistence metrics in one place: a view of PersistenceStores whose every call counts persistence_requests, times
// persistence_latency and counts persistence_errors / persistence_error_with_type, tagged with upstream's
// persistence operation names where they map (ReadHistoryBranch, UpdateWorkflowExecution, GetTransferTasks, ...).
import { storeMethodNames, type PersistenceStores } from '@tempora/persistence';
import { NOOP_METRICS, type Metrics } from './metrics.js';
import { tracingEnabled, withChildSpan } from './tracing.js';

/** Our store methods -> upstream's persistence operation names; others are the method name in PascalCase. */
const OPERATIONS: Record<string, string> = {
  initializeClusterMetadata: 'SaveClusterMetadata',
  // Upstream's SaveClusterMetadata is a compare-and-set on the record's version, as this is.
  updateClusterMetadata: 'SaveClusterMetadata',
  getClusterMetadata: 'GetClusterMetadata',
  getNamespaceByName: 'GetNamespace',
  getNamespaceById: 'GetNamespace',
  getOrCreateShard: 'GetOrCreateShard',
  listWorkflowExecutions: 'ListConcreteExecutions',
  completeHistoryTasks: 'RangeCompleteHistoryTasks',
  appendHistoryNode: 'AppendHistoryNodes',
  getOrCreateTaskQueue: 'GetTaskQueue',
  completeTasks: 'CompleteTasksLessThan',
};
/** getHistoryTasks by category, as upstream names the per-category reads. */
const HISTORY_TASK_READS: Record<string, string> = {
  transfer: 'GetTransferTasks',
  timer: 'GetTimerTasks',
  visibility: 'GetVisibilityTasks',
};

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);
const STORE_KEYS = ['clusterMetadata', 'namespaces', 'shards', 'executions', 'history', 'taskQueues'] as const;

export interface InstrumentOptions {
  /** service_name of every value (the service these stores are handed to). */
  service: string;
  metrics: Metrics;
  /** The name of a namespace id; upstream tags calls that name no namespace "system". */
  namespaceName?: (id: string) => string | undefined;
}

/**
 * `stores` itself when metrics and tracing are off; else a view whose calls are measured and, with tracing on, run
 * as a CLIENT child span `persistence/<Operation>` of the active span. close() is the original's.
 */
export function instrumentStores(stores: PersistenceStores, options: InstrumentOptions): PersistenceStores {
  const measured = options.metrics.enabled && options.metrics !== NOOP_METRICS;
  const traced = tracingEnabled();
  if (!measured && !traced) return stores;
  const metrics = options.metrics.withTags({ service_name: options.service });
  const requests = metrics.counter('persistence_requests');
  const errors = metrics.counter('persistence_errors');
  const errorsWithType = metrics.counter('persistence_error_with_type');
  const latency = metrics.histogram('persistence_latency');
  // Where a call names its namespace: a request's namespaceId or its execution row's, or (executions, by key)
  // the string after the shard id.
  const namespaceOf = (args: unknown[]): string => {
    const first = args[0] as { namespaceId?: unknown; execution?: { namespaceId?: unknown } } | undefined;
    const id =
      typeof first === 'object' && first !== null
        ? (first.namespaceId ?? first.execution?.namespaceId)
        : typeof first === 'number'
          ? args[1]
          : undefined;
    return (typeof id === 'string' && id && options.namespaceName?.(id)) || 'system';
  };
  const spanned = (operation: string, namespace: string, call: () => Promise<unknown>) =>
    withChildSpan(
      options.service,
      `persistence/${operation}`,
      { 'db.operation.name': operation, 'temporal.namespace': namespace },
      call,
    );
  const wrap = <T extends object>(store: T): T => {
    const view = Object.create(store) as Record<string, unknown>;
    for (const key of storeMethodNames(store)) {
      const method = (store as Record<string, (...args: unknown[]) => Promise<unknown>>)[key]!;
      const fixed = OPERATIONS[key] ?? pascal(key);
      view[key] = async (...args: unknown[]) => {
        const operation =
          key === 'getHistoryTasks'
            ? (HISTORY_TASK_READS[(args[0] as { category?: string }).category ?? ''] ?? fixed)
            : fixed;
        const tags = { operation, namespace: namespaceOf(args) };
        if (!measured) return spanned(operation, tags.namespace, () => method.apply(store, args));
        const start = performance.now();
        try {
          if (traced) return await spanned(operation, tags.namespace, () => method.apply(store, args));
          return await method.apply(store, args);
        } catch (err) {
          errors.add(1, tags);
          errorsWithType.add(1, { ...tags, error_type: `serviceerror_${(err as Error)?.name ?? 'Unknown'}` });
          throw err;
        } finally {
          requests.add(1, tags);
          latency.record((performance.now() - start) / 1000, tags);
        }
      };
    }
    return view as T;
  };
  const view: Record<string, unknown> = { close: () => stores.close() };
  for (const key of STORE_KEYS) view[key] = wrap(stores[key]);
  return view as unknown as PersistenceStores;
}

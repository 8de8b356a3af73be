// What each frontend API needs, modelled on upstream's per-method metadata (common/api): a scope (one namespace,
// or the whole cluster) and an access category. Upstream has read / write / admin; polls and task responses are
// "write" there. Here they are their own category, `worker`, so a `<namespace>:worker` permission runs a worker
// (polls, task completions, heartbeats, plus the reads a worker makes) without being able to start or signal runs.

export type ApiCategory = 'read' | 'write' | 'worker' | 'admin';
export type ApiScope = 'namespace' | 'cluster';

export interface ApiClass {
  scope: ApiScope;
  category: ApiCategory;
  /** Always allowed, like upstream's health-check APIs (no sensitive information). */
  public?: boolean;
}

const ns = (category: ApiCategory): ApiClass => ({ scope: 'namespace', category });
const cluster = (category: ApiCategory): ApiClass => ({ scope: 'cluster', category });

/** WorkflowService methods that do not follow the name rules below. */
const WORKFLOW_SERVICE: Record<string, ApiClass> = {
  GetSystemInfo: { scope: 'cluster', category: 'read', public: true },
  GetClusterInfo: cluster('read'),
  ListNamespaces: cluster('read'),
  GetSearchAttributes: cluster('read'),
  RegisterNamespace: ns('admin'),
  UpdateNamespace: ns('admin'),
  DeprecateNamespace: ns('admin'),
  DescribeNamespace: ns('read'),
  QueryWorkflow: ns('read'),
  PollWorkflowExecutionUpdate: ns('read'),
  ListTaskQueuePartitions: ns('read'),
  ResetStickyTaskQueue: ns('worker'),
  ShutdownWorker: ns('worker'),
  RecordWorkerHeartbeat: ns('worker'),
  FetchWorkerConfig: ns('worker'),
  UpdateWorkerConfig: ns('admin'),
};

/** Worker-side calls: polls, task responses, heartbeats. */
const WORKER_METHOD = /^(Poll(Workflow|Activity|Nexus)TaskQueue|Respond|RecordActivityTaskHeartbeat)/;
/** Read-only calls by name. */
const READ_METHOD = /^(Get|Describe|List|Count|Scan)/;

/** OperatorService: read-only listings, the rest administrative. */
const OPERATOR_READ = new Set(['ListSearchAttributes', 'ListNexusEndpoints', 'GetNexusEndpoint']);
const OPERATOR_CLUSTER = new Set(['AddOrUpdateRemoteCluster', 'RemoveRemoteCluster', 'ListClusters']);

/**
 * The class of `method` of `service` ("WorkflowService", "OperatorService", "AdminService"). Unknown services are
 * cluster-scoped admin calls, so a new API is never open by accident.
 */
export function classifyApi(service: string, method: string): ApiClass {
  switch (service) {
    case 'WorkflowService': {
      const known = WORKFLOW_SERVICE[method];
      if (known) return known;
      if (WORKER_METHOD.test(method)) return ns('worker');
      if (READ_METHOD.test(method)) return ns('read');
      return ns('write');
    }
    case 'OperatorService':
      if (OPERATOR_CLUSTER.has(method)) return cluster('admin');
      if (OPERATOR_READ.has(method)) return ns('read');
      return ns('admin');
    default:
      return cluster('admin');
  }
}

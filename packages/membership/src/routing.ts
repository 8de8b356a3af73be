// Which host serves an internal call. History calls go to the owner of the workflow's shard, matching calls to the
// owner of the task queue. Keys are found by field conventions shared by every request of a service, so a new RPC
// that follows them routes without any change here; one that does not adds one line to the extractor lists.
import type { ServiceName } from '@tempora/common';
import { TaskTokenRoute } from '@tempora/proto/internal';
import { invalidArgument, type Router } from '@tempora/rpc';
import type { Membership } from './membership.js';
import type { ShardLayout } from './shard-layout.js';

/** FNV-1a over namespace id and workflow id: stable across processes and releases. */
export function shardIdFor(namespaceId: string, workflowId: string, numShards: number): number {
  let hash = 0x811c9dc5;
  const text = `${namespaceId}_${workflowId}`;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % numShards) + 1;
}

/** A history shard's key on the history ring. */
export const shardRingKey = (shardId: number) => `shard-${shardId}`;

/** A task queue's key on the matching ring (both task types of a queue live on one host). */
export const taskQueueRingKey = (namespaceId: string, taskQueue: string) => `${namespaceId}/${taskQueue}`;

interface WorkflowRef {
  workflowId?: string;
}
interface TaskQueueRef {
  name?: string;
}
/** The fields the extractors read, as the generated request types spell them; a request has any few of them. */
interface RoutingFields {
  execution?: WorkflowRef;
  workflowId?: string;
  startRequest?: WorkflowRef;
  parentExecution?: WorkflowRef;
  taskQueue?: TaskQueueRef;
  pollRequest?: { taskQueue?: TaskQueueRef };
  stickyTaskQueue?: string;
  request?: WorkflowRef & {
    execution?: WorkflowRef;
    workflowExecution?: WorkflowRef;
    updateRef?: { workflowExecution?: WorkflowRef };
    taskToken?: Uint8Array;
    taskQueue?: TaskQueueRef;
  };
}
type Extract<T> = (request: RoutingFields) => T | undefined;

/** Where a history request names its workflow, tried in order (namespace_id is always a top-level field). */
const WORKFLOW_ID_FIELDS: Extract<string>[] = [
  (r) => r.execution?.workflowId,
  (r) => r.workflowId,
  (r) => r.request?.workflowId,
  (r) => r.request?.execution?.workflowId,
  (r) => r.request?.workflowExecution?.workflowId,
  (r) => r.request?.updateRef?.workflowExecution?.workflowId,
  // Update-with-start names the workflow in its start request.
  (r) => r.startRequest?.workflowId,
  (r) => (r.request?.taskToken?.length ? decodeTaskToken(r.request.taskToken).workflowId : undefined),
  // A child's close is recorded by its parent (the request also names the child).
  (r) => r.parentExecution?.workflowId,
];

/** Where a matching request names its task queue, tried in order. */
const TASK_QUEUE_FIELDS: Extract<string>[] = [
  (r) => r.taskQueue?.name,
  (r) => r.pollRequest?.taskQueue?.name,
  (r) => r.request?.taskQueue?.name,
  (r) => r.stickyTaskQueue,
];

function decodeTaskToken(bytes: Uint8Array): TaskTokenRoute {
  try {
    return TaskTokenRoute.decode(bytes);
  } catch {
    throw invalidArgument('Error deserializing task token.');
  }
}

function first<T>(extractors: Extract<T>[], request: unknown): T | undefined {
  for (const extract of extractors) {
    const value = extract(request as RoutingFields);
    if (value) return value;
  }
  return undefined;
}

/** The shard a history request is for: its `shardId` field, or the shard of its namespace and workflow. */
export function historyShardOf(method: string, request: unknown, layout: ShardLayout): number {
  const { shardId, namespaceId } = request as { shardId?: number; namespaceId?: string };
  if (shardId) return shardId;
  const workflowId = first(WORKFLOW_ID_FIELDS, request);
  if (!namespaceId || !workflowId)
    throw invalidArgument(`HistoryService.${method}: the request names no namespace id and workflow id.`);
  return layout.shardFor(namespaceId, workflowId);
}

/**
 * The registry key of a namespace's worker heartbeats: one matching host holds all of a namespace's workers (as
 * upstream routes them), so listing them is one call. A `/_sys/` name, which upstream reserves, so no user queue
 * collides with it (a collision would only share a host anyway).
 */
export const WORKER_REGISTRY_KEY = '/_sys/worker-registry';

/** Matching calls that are namespace-wide rather than about one task queue. */
const NAMESPACE_WIDE_METHODS = new Set(['recordWorkerHeartbeat', 'listWorkers', 'countWorkers', 'describeWorker']);

/** The matching ring key a matching request is for. */
export function matchingKeyOf(method: string, request: unknown): string {
  const { namespaceId } = request as { namespaceId?: string };
  const taskQueue = NAMESPACE_WIDE_METHODS.has(method) ? WORKER_REGISTRY_KEY : first(TASK_QUEUE_FIELDS, request);
  if (!namespaceId || !taskQueue)
    throw invalidArgument(`MatchingService.${method}: the request names no namespace id and task queue.`);
  return taskQueueRingKey(namespaceId, taskQueue);
}

function ownerAddress(membership: Membership, service: ServiceName, key: string): string | undefined {
  return membership.owner(service, key)?.address || undefined;
}

export function historyRouter(membership: Membership, layout: ShardLayout): Router {
  return {
    route: (method, request) =>
      ownerAddress(membership, 'history', shardRingKey(historyShardOf(method, request, layout))),
  };
}

export function matchingRouter(membership: Membership): Router {
  return { route: (method, request) => ownerAddress(membership, 'matching', matchingKeyOf(method, request)) };
}

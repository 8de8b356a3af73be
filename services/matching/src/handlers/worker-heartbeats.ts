// RecordWorkerHeartbeat, ListWorkers, CountWorkers and DescribeWorker on this host's WorkerRegistry. A host that
// does not own the namespace's registry key answers with the ownership error, so routed callers retry at the owner.
import type {
  CountWorkersRequest,
  CountWorkersResponse,
  DescribeWorkerRequest,
  DescribeWorkerResponse,
  ListWorkersRequest,
  ListWorkersResponse,
  RecordWorkerHeartbeatRequest,
  RecordWorkerHeartbeatResponse,
} from '@tempora/proto/internal';
import { invalidArgument, ownershipLost, type DeepPartial } from '@tempora/rpc';
import type { MatchingContext } from '../context.js';
import { workerListInfo } from '../worker-registry.js';

function assertOwner(ctx: MatchingContext, namespaceId: string): void {
  const owner = ctx.workerRegistryOwner(namespaceId);
  if (!owner.here) {
    throw ownershipLost(`the worker registry of ${namespaceId} is not owned by this host`, owner.address, ctx.identity);
  }
}

export function recordWorkerHeartbeat(ctx: MatchingContext) {
  return async (request: RecordWorkerHeartbeatRequest): Promise<RecordWorkerHeartbeatResponse> => {
    assertOwner(ctx, request.namespaceId);
    ctx.workers.record(request.namespaceId, request.workerHeartbeat);
    return {};
  };
}

/** Page tokens are the offset of the page's first worker in instance-key order. */
function decodeOffset(token: Uint8Array | undefined): number {
  if (!token?.length) return 0;
  const offset = Number(Buffer.from(token).toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) throw invalidArgument('Invalid NextPageToken.');
  return offset;
}

export function listWorkers(ctx: MatchingContext) {
  return async ({ namespaceId, request }: ListWorkersRequest): Promise<DeepPartial<ListWorkersResponse>> => {
    const req = request!;
    assertOwner(ctx, namespaceId);
    const all = ctx.workers.list(namespaceId, req.query, req.includeSystemWorkers);
    const offset = decodeOffset(req.nextPageToken);
    const end = req.pageSize > 0 ? offset + req.pageSize : all.length;
    const page = all.slice(offset, end);
    return {
      response: {
        // The deprecated full form, which the official server still fills beside `workers`.
        workersInfo: page.map((workerHeartbeat) => ({ workerHeartbeat })),
        workers: page.map(workerListInfo),
        nextPageToken: end < all.length ? Buffer.from(String(end)) : Buffer.alloc(0),
      },
    };
  };
}

export function countWorkers(ctx: MatchingContext) {
  return async ({ namespaceId, request }: CountWorkersRequest): Promise<DeepPartial<CountWorkersResponse>> => {
    const req = request!;
    assertOwner(ctx, namespaceId);
    return { response: { count: ctx.workers.list(namespaceId, req.query, req.includeSystemWorkers).length } };
  };
}

export function describeWorker(ctx: MatchingContext) {
  return async ({ namespaceId, request }: DescribeWorkerRequest): Promise<DeepPartial<DescribeWorkerResponse>> => {
    assertOwner(ctx, namespaceId);
    const workerHeartbeat = ctx.workers.describe(namespaceId, request!.workerInstanceKey);
    return { response: { workerInfo: { workerHeartbeat } } };
  };
}

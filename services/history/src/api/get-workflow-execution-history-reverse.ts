import type {
  GetWorkflowExecutionHistoryReverseRequest,
  GetWorkflowExecutionHistoryReverseResponse,
} from '@tempora/proto/internal';
import type { DeepPartial } from '@tempora/rpc';
import type { HistoryContext } from '../context.js';
import { decodeHistoryPageToken, encodeHistoryPageToken } from '../history-pages.js';
import { readEvents } from '../history-reader.js';

const DEFAULT_PAGE_SIZE = 1000;

/** Newest events first; the token remembers where the previous page stopped. */
export function getWorkflowExecutionHistoryReverse(ctx: HistoryContext) {
  return async ({
    namespaceId,
    request,
  }: GetWorkflowExecutionHistoryReverseRequest): Promise<DeepPartial<GetWorkflowExecutionHistoryReverseResponse>> => {
    const req = request!;
    const workflowId = req.execution!.workflowId;
    const engine = ctx.shards.engineFor(namespaceId, workflowId);
    const token = decodeHistoryPageToken(req.nextPageToken);
    const runId = token?.runId ?? (await engine.executions.resolveRunId(namespaceId, workflowId, req.execution!.runId));
    const endEventId =
      token?.endEventId ??
      (await engine.executions.read({ namespaceId, workflowId, runId }, (ms) => ms.info.nextEventId));
    const pageSize = req.maximumPageSize > 0 ? req.maximumPageSize : DEFAULT_PAGE_SIZE;
    const firstEventId = Math.max(1, endEventId - pageSize);
    const events = (await readEvents(ctx.stores, engine.shard.shardId, runId, firstEventId, endEventId)).reverse();
    const nextPageToken =
      firstEventId > 1 ? encodeHistoryPageToken({ runId, nextEventId: 1, endEventId: firstEventId }) : Buffer.alloc(0);
    return { response: { history: { events }, nextPageToken } };
  };
}

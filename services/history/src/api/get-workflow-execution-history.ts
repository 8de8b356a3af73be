import { HistoryEventFilterType } from '@tempora/proto/enums';
import type { GetWorkflowExecutionHistoryRequest, GetWorkflowExecutionHistoryResponse } from '@tempora/proto/internal';
import { Code, RpcError, invalidArgument, type CallContext, type DeepPartial } from '@tempora/rpc';
import type { HistoryContext } from '../context.js';
import { runKeyString } from '../execution-manager.js';
import { decodeHistoryPageToken, encodeHistoryPageToken, readHistoryPage } from '../history-pages.js';
import { readEvents } from '../history-reader.js';
import { transientWorkflowTaskEvents } from '../workflow-task-events.js';

const DEFAULT_PAGE_SIZE = 1000;
/** Upstream history.longPollExpirationInterval: a waiting reader gets an empty page after this long. */
const LONG_POLL_MS = 20_000;

export function getWorkflowExecutionHistory(ctx: HistoryContext) {
  return async (
    { namespaceId, request, includeTransientEvents }: GetWorkflowExecutionHistoryRequest,
    call: CallContext,
  ): Promise<DeepPartial<GetWorkflowExecutionHistoryResponse>> => {
    const req = request!;
    const workflowId = req.execution!.workflowId;
    const engine = ctx.shards.engineFor(namespaceId, workflowId);
    const token = decodeHistoryPageToken(req.nextPageToken);
    const runId = token?.runId ?? (await engine.executions.resolveRunId(namespaceId, workflowId, req.execution!.runId));
    if (req.execution!.runId && token && token.runId !== req.execution!.runId)
      throw invalidArgument('Invalid next_page_token.');
    const key = { namespaceId, workflowId, runId };
    const pageSize = req.maximumPageSize > 0 ? req.maximumPageSize : DEFAULT_PAGE_SIZE;
    const waitUntil = Math.min(Date.now() + LONG_POLL_MS, call.deadline - 1_000);
    const closeEventOnly = req.historyEventFilterType === HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT;

    for (;;) {
      const state = await engine.executions.read(key, (ms) => ({
        running: ms.isRunning,
        nextEventId: ms.info.nextEventId,
        completionEventId: ms.info.completionEventId,
        transient: includeTransientEvents ? transientWorkflowTaskEvents(ms) : [],
      }));
      if (closeEventOnly) {
        if (!state.running) {
          const events = await readEvents(
            ctx.stores,
            engine.shard.shardId,
            runId,
            state.completionEventId,
            state.completionEventId + 1,
          );
          return { response: { history: { events }, nextPageToken: Buffer.alloc(0), archived: false } };
        }
      } else {
        const firstEventId = token?.nextEventId ?? 1;
        const endEventId = token ? Math.max(token.endEventId, state.nextEventId) : state.nextEventId;
        if (firstEventId < endEventId || !req.waitNewEvent || !state.running) {
          const page = await readHistoryPage(
            ctx.stores,
            engine.shard.shardId,
            runId,
            firstEventId,
            endEventId,
            pageSize,
          );
          const last = !page.nextPageToken.length;
          const events = last ? [...page.events, ...state.transient] : page.events;
          // A waiting reader of a running workflow keeps a token so it can wait for what comes next.
          const nextPageToken =
            last && req.waitNewEvent && state.running
              ? encodeHistoryPageToken({ runId, nextEventId: endEventId, endEventId })
              : page.nextPageToken;
          return { response: { history: { events }, nextPageToken, archived: false } };
        }
      }
      if (!req.waitNewEvent || Date.now() >= waitUntil) {
        // Nothing yet: an empty page with a token to come back with (the SDK's result() loop expects this).
        const nextEventId = token?.nextEventId ?? state.nextEventId;
        return {
          response: {
            history: { events: [] },
            nextPageToken: encodeHistoryPageToken({ runId, nextEventId, endEventId: state.nextEventId }),
            archived: false,
          },
        };
      }
      await engine.notifier.waitForChange(runKeyString(key), waitUntil, call.signal, closeEventOnly);
      if (call.signal.aborted) throw new RpcError(Code.CANCELLED, 'GetWorkflowExecutionHistory canceled by the caller');
    }
  };
}

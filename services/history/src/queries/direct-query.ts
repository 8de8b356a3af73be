// Dispatching a query directly through matching (upstream queryDirectlyThroughMatching): to the worker's sticky
// queue first when the run has one, within the sticky schedule-to-start timeout; on StickyWorkerUnavailable or that
// timeout, stickiness is reset and the query goes to the normal queue until the caller's deadline.
import { durationToMs } from '@tempora/common';
import { TaskQueueKind, QueryResultType } from '@tempora/proto/enums';
import type { WorkflowQuery } from '@tempora/proto/query';
import type { QueryWorkflowResponse, PollWorkflowTaskQueueResponse } from '@tempora/proto/workflowservice';
import { Code, internalError, isStickyWorkerUnavailable, queryFailed, type DeepPartial } from '@tempora/rpc';
import type { HistoryContext } from '../context.js';
import type { RunKey } from '../execution-manager.js';
import { readHistoryPage } from '../history-pages.js';
import type { MutableState } from '../mutable-state.js';
import { WORKER_HISTORY_PAGE_SIZE } from '../workflow-task-response.js';

interface RunSnapshot {
  workflowType: string;
  taskQueue: string;
  stickyTaskQueue: string;
  stickyTimeoutMs: number;
  previousStartedEventId: number;
  nextEventId: number;
}

export function runSnapshot(ms: MutableState): RunSnapshot {
  return {
    workflowType: ms.info.workflowType,
    taskQueue: ms.info.taskQueue,
    stickyTaskQueue: ms.info.stickyTaskQueue,
    stickyTimeoutMs: durationToMs(ms.info.stickyScheduleToStartTimeout) || 5_000,
    previousStartedEventId: ms.info.lastCompletedWorkflowTaskStartedEventId,
    nextEventId: ms.info.nextEventId,
  };
}

export async function queryThroughMatching(
  ctx: HistoryContext,
  key: RunKey,
  run: RunSnapshot,
  query: WorkflowQuery,
  deadline: number,
  signal: AbortSignal,
): Promise<DeepPartial<QueryWorkflowResponse>> {
  const shardId = ctx.shards.engineFor(key.namespaceId, key.workflowId).shard.shardId;
  // A sticky worker answers from its cached run and gets no events, as upstream sends none ("sticky query": the
  // Go SDK refuses a partial history it cannot replay); the normal queue gets the history from the first event.
  const pollResponse = async (withHistory: boolean): Promise<DeepPartial<PollWorkflowTaskQueueResponse>> => {
    const page = withHistory
      ? await readHistoryPage(ctx.stores, shardId, key.runId, 1, run.nextEventId, WORKER_HISTORY_PAGE_SIZE)
      : { events: [], nextPageToken: Buffer.alloc(0) };
    return {
      workflowExecution: { workflowId: key.workflowId, runId: key.runId },
      workflowType: { name: run.workflowType },
      previousStartedEventId: run.previousStartedEventId,
      history: { events: page.events },
      nextPageToken: page.nextPageToken,
      workflowExecutionTaskQueue: { name: run.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    };
  };
  const dispatch = async (taskQueue: { name: string; kind: TaskQueueKind }, withHistory: boolean, until: number) => {
    const result = await ctx.matching.dispatchQueryTask(
      { namespaceId: key.namespaceId, taskQueue, pollResponse: await pollResponse(withHistory), query },
      { deadline: until, signal },
    );
    return result.completed!;
  };

  let completed;
  if (run.stickyTaskQueue) {
    try {
      const stickyDeadline = Math.min(deadline, Date.now() + run.stickyTimeoutMs);
      completed = await dispatch(
        { name: run.stickyTaskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY },
        false,
        stickyDeadline,
      );
    } catch (err) {
      const timedOut = (err as { code?: unknown }).code === Code.DEADLINE_EXCEEDED && Date.now() < deadline;
      if (!timedOut && !isStickyWorkerUnavailable(err)) throw err;
      await ctx.shards.engineFor(key.namespaceId, key.workflowId).executions.update(key, (ms) => {
        if (ms.isRunning) ms.clearStickyness();
      });
    }
  }
  completed ??= await dispatch({ name: run.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL }, true, deadline);
  switch (completed.completedType) {
    case QueryResultType.QUERY_RESULT_TYPE_ANSWERED:
      return { queryResult: completed.queryResult };
    case QueryResultType.QUERY_RESULT_TYPE_FAILED:
      throw queryFailed(completed.errorMessage, completed.failure);
    default:
      throw internalError(`query task completed with unknown type ${completed.completedType}`);
  }
}

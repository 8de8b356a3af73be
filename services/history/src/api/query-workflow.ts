import {
  ResourceExhaustedCause,
  ResourceExhaustedScope,
  QueryRejectCondition,
  QueryResultType,
  WorkflowExecutionStatus,
} from '@tempora/proto/enums';
import type { QueryWorkflowRequest, QueryWorkflowResponse } from '@tempora/proto/internal';
import {
  Code,
  RpcError,
  queryFailed,
  resourceExhausted,
  workflowNotReady,
  type CallContext,
  type DeepPartial,
} from '@tempora/rpc';
import type { HistoryContext } from '../context.js';
import { runKeyString } from '../execution-manager.js';
import { queryThroughMatching, runSnapshot } from '../queries/direct-query.js';
import { MAX_BUFFERED_QUERIES_PER_RUN, type BufferedQueryOutcome } from '../queries/query-registry.js';
import { untilDeadline } from '../until-deadline.js';

/** Upstream's failQueryWorkflowTaskAttemptCount: a run whose task keeps failing cannot answer queries. */
const FAILING_WORKFLOW_TASK_ATTEMPT = 3;

/**
 * QueryWorkflow as upstream decides it: reject conditions on closed runs; directly through matching when nothing
 * precedes the query (closed run, or no workflow task pending or started); otherwise buffered for the next workflow
 * task.
 */
export function queryWorkflow(ctx: HistoryContext) {
  return async (
    { namespaceId, request }: QueryWorkflowRequest,
    call: CallContext,
  ): Promise<DeepPartial<QueryWorkflowResponse>> => {
    const req = request!;
    const workflowId = req.execution!.workflowId;
    const engine = ctx.shards.engineFor(namespaceId, workflowId);
    const runId = await engine.executions.resolveRunId(namespaceId, workflowId, req.execution!.runId);
    const key = { namespaceId, workflowId, runId };
    const deadline = Number.isFinite(call.deadline) ? call.deadline : Date.now() + 60_000;
    const decision = await engine.executions.read(key, (ms) => {
      const status = ms.info.status;
      const running = ms.isRunning;
      const condition = req.queryRejectCondition;
      if (
        !running &&
        (condition === QueryRejectCondition.QUERY_REJECT_CONDITION_NOT_OPEN ||
          (condition === QueryRejectCondition.QUERY_REJECT_CONDITION_NOT_COMPLETED_CLEANLY &&
            status !== WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED))
      ) {
        return { kind: 'rejected', status } as const;
      }
      const completedAnyTask = ms.info.lastCompletedWorkflowTaskStartedEventId > 0;
      if (!running && !completedAnyTask)
        throw workflowNotReady('Workflow execution closed before WorkflowTaskStarted event');
      if (!ms.workflowTask && !completedAnyTask) {
        // Waiting out a start delay or retry/cron backoff: only a query that outlives it can wait for the task.
        const firstTaskTime = ms.info.executionTime?.getTime() ?? 0;
        if (firstTaskTime > deadline) throw workflowNotReady('Workflow task is not scheduled yet.');
      }
      if ((ms.workflowTask?.attempt ?? 0) >= FAILING_WORKFLOW_TASK_ATTEMPT) {
        throw workflowNotReady('Unable to query workflow due to Workflow Task in failed state.');
      }
      if (completedAnyTask && (!running || !ms.workflowTask)) return { kind: 'direct', run: runSnapshot(ms) } as const;
      if (ctx.queries.bufferedCount(runKeyString(key)) >= MAX_BUFFERED_QUERIES_PER_RUN) {
        throw resourceExhausted(
          'consistent query buffer is full, this may be caused by too many queries and workflow not able to process query fast enough',
          ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_BUSY_WORKFLOW,
          ResourceExhaustedScope.RESOURCE_EXHAUSTED_SCOPE_NAMESPACE,
        );
      }
      // Buffered under the run's lock, so a task starting after this read carries the query.
      return { kind: 'buffered', ...ctx.queries.buffer(runKeyString(key), req.query!) } as const;
    });
    if (decision.kind === 'rejected') return { response: { queryRejected: { status: decision.status } } };
    if (decision.kind === 'direct')
      return { response: await queryThroughMatching(ctx, key, decision.run, req.query!, deadline, call.signal) };

    const { outcome, remove } = decision;
    let settled: BufferedQueryOutcome | undefined;
    try {
      settled = await untilDeadline(outcome, deadline, call.signal);
    } finally {
      remove();
    }
    if (!settled) throw new RpcError(Code.DEADLINE_EXCEEDED, 'context deadline exceeded');
    if (settled.kind === 'unblocked') {
      const run = await engine.executions.read(key, (ms) => runSnapshot(ms));
      return { response: await queryThroughMatching(ctx, key, run, req.query!, deadline, call.signal) };
    }
    const result = settled.result;
    if (result.resultType === QueryResultType.QUERY_RESULT_TYPE_FAILED)
      throw queryFailed(result.errorMessage, result.failure);
    return { response: { queryResult: result.answer } };
  };
}

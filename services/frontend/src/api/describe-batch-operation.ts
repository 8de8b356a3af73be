import {
  BATCH_MEMO_EXECUTIONS,
  BATCH_MEMO_QUERY,
  BATCH_MEMO_REASON,
  BATCH_MEMO_START_TIME,
  BATCH_MEMO_STATS,
  BATCH_MEMO_TYPE,
  BATCHER_WORKFLOW_TYPE,
  type BatchHeartbeat,
  type BatchStats,
} from '@tempora/common';
import { ExecutionType, WorkflowExecutionStatus } from '@tempora/proto/enums';
import type { DescribeBatchOperationRequest, DescribeBatchOperationResponse } from '@tempora/proto/workflowservice';
import { invalidArgument, notFound, type CallContext, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { operationState, operationType } from '../batches.js';
import { decodeJsonPayload } from '../schedules.js';

/**
 * The job as its batcher workflow shows it (upstream DescribeBatchOperation): state from the run's status, type,
 * reason, query and executions from the memo, identity from BatcherUser; counts from the stats memo once the job
 * completed, before that from the running page activity's heartbeat (cumulative over the job) or, between pages,
 * the stats the workflow upserts after each page.
 */
export function describeBatchOperation(ctx: FrontendContext) {
  return async (
    request: DescribeBatchOperationRequest,
    call: CallContext,
  ): Promise<DeepPartial<DescribeBatchOperationResponse>> => {
    if (!request.jobId) throw invalidArgument('JobId is not set on request.');
    if (!request.namespace) throw invalidArgument('Namespace is not set on request.');
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    const described = await ctx.history.describeWorkflowExecution(
      { namespaceId, request: { namespace: request.namespace, execution: { workflowId: request.jobId, runId: '' } } },
      call,
    );
    const response = described.response;
    const info = response?.workflowExecutionInfo;
    if (info?.type?.name !== BATCHER_WORKFLOW_TYPE) throw notFound(`batch operation ${request.jobId} not found`);
    const memo = info.memo?.fields ?? {};
    const stats = decodeJsonPayload<BatchStats>(memo[BATCH_MEMO_STATS]);
    const startTime = decodeJsonPayload<string>(memo[BATCH_MEMO_START_TIME]);
    const executions = decodeJsonPayload<{ businessId: string; runId: string }[]>(memo[BATCH_MEMO_EXECUTIONS]) ?? [];
    const user = info.searchAttributes?.indexedFields.BatcherUser;
    const counts = { total: 0, complete: 0, failure: 0 };
    if (info.status === WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      counts.complete = stats?.NumSuccess ?? 0;
      counts.failure = stats?.NumFailure ?? 0;
      counts.total = counts.complete + counts.failure;
    } else {
      const beat = response?.pendingActivities
        .map((a) => decodeJsonPayload<BatchHeartbeat>(a.heartbeatDetails?.payloads[0]))
        .find((b) => b !== undefined);
      counts.total = beat?.TotalEstimate ?? stats?.TotalEstimate ?? 0;
      counts.complete = beat?.SuccessCount ?? stats?.NumSuccess ?? 0;
      counts.failure = beat?.ErrorCount ?? stats?.NumFailure ?? 0;
    }
    return {
      operationType: operationType(decodeJsonPayload<string>(memo[BATCH_MEMO_TYPE])),
      jobId: info.execution?.workflowId ?? request.jobId,
      state: operationState(info.status),
      startTime: startTime ? new Date(startTime) : info.startTime,
      closeTime: info.closeTime,
      totalOperationCount: counts.total,
      completeOperationCount: counts.complete,
      failureOperationCount: counts.failure,
      identity: decodeJsonPayload<string>(user) ?? '',
      reason: decodeJsonPayload<string>(memo[BATCH_MEMO_REASON]) ?? '',
      query: decodeJsonPayload<string>(memo[BATCH_MEMO_QUERY]) ?? '',
      executions: executions.map((e) => ({ type: ExecutionType.EXECUTION_TYPE_WORKFLOW, ...e })),
    };
  };
}

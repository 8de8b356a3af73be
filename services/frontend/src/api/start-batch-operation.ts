import { randomUUID } from 'node:crypto';
import {
  BATCH_MEMO_EXECUTIONS,
  BATCH_MEMO_QUERY,
  BATCH_MEMO_REASON,
  BATCH_MEMO_START_TIME,
  BATCH_MEMO_TYPE,
  BATCHER_NAMESPACE_DIVISION,
  BATCHER_WORKFLOW_TYPE,
  OPEN_BATCH_OPERATION_QUERY,
  PER_NAMESPACE_TASK_QUEUE,
  type BatcherArgs,
} from '@tempora/common';
import {
  ResourceExhaustedCause,
  ResourceExhaustedScope,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
} from '@tempora/proto/enums';
import { StartBatchOperationRequest, type StartBatchOperationResponse } from '@tempora/proto/workflowservice';
import { invalidArgument, isRpcError, resourceExhausted, type CallContext, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { operationIdentity, operationKind, validateBatchRequest } from '../batches.js';
import { jsonPayload, jsonPayloads } from '../schedules.js';
import { validateWorkflowId } from '../validation.js';
import { resolveVisibilityQuery } from '../visibility.js';

/**
 * Starts the batcher workflow in the request's namespace with the job id as its workflow id (upstream
 * StartBatchOperation): one open job per id (conflict FAIL, reuse REJECT_DUPLICATE), at most
 * limits.batch.maxConcurrentPerNamespace open jobs per namespace.
 */
export function startBatchOperation(ctx: FrontendContext) {
  return async (
    request: StartBatchOperationRequest,
    call: CallContext,
  ): Promise<DeepPartial<StartBatchOperationResponse>> => {
    validateBatchRequest(request);
    validateWorkflowId(request.jobId);
    const kind = operationKind(request);
    const namespace = await ctx.namespaces.resolve(request.namespace);
    const namespaceId = namespace.info!.id;
    // Checked here rather than by the job, which would otherwise fail after it started (upstream parses only the
    // syntax; our resolver checks names and types too, so a job cannot fail on its own query).
    if (request.visibilityQuery) {
      try {
        resolveVisibilityQuery(ctx, namespace, request.visibilityQuery);
      } catch (err) {
        if (isRpcError(err)) throw invalidArgument(err.message.replace(/^invalid query:/, 'invalid visibility query:'));
        throw err;
      }
    }
    const limits = ctx.config.limits.batch;
    const open = await ctx.visibility.count({
      namespaceId,
      query: resolveVisibilityQuery(ctx, namespace, OPEN_BATCH_OPERATION_QUERY),
    });
    if (open.count >= limits.maxConcurrentPerNamespace) {
      throw resourceExhausted(
        'Max concurrent batch operations is reached',
        ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_CONCURRENT_LIMIT,
        ResourceExhaustedScope.RESOURCE_EXHAUSTED_SCOPE_NAMESPACE,
      );
    }

    const requested = request.maxOperationsPerSecond;
    const args: BatcherArgs = {
      namespace: request.namespace,
      namespaceId,
      jobId: request.jobId,
      kind,
      encodedRequest: Buffer.from(StartBatchOperationRequest.encode(request).finish()).toString('base64'),
      query: batchQuery(kind, request.visibilityQuery),
      // Upstream's getOperationRPS: the request's rate, capped by (and defaulting to) the server's.
      rps: requested > 0 && requested < limits.rps ? requested : limits.rps,
      concurrency: limits.concurrency,
      pageSize: limits.pageSize,
    };
    const identity = operationIdentity(request);
    const memo: Record<string, DeepPartial<ReturnType<typeof jsonPayload>>> = {
      [BATCH_MEMO_TYPE]: jsonPayload(kind),
      [BATCH_MEMO_REASON]: jsonPayload(request.reason),
      [BATCH_MEMO_START_TIME]: jsonPayload(new Date().toISOString()),
    };
    if (request.visibilityQuery) memo[BATCH_MEMO_QUERY] = jsonPayload(request.visibilityQuery);
    const executions = request.targetExecutions.length
      ? request.targetExecutions.map((e) => ({ businessId: e.businessId, runId: e.runId }))
      : request.executions.map((e) => ({ businessId: e.workflowId, runId: e.runId }));
    if (executions.length) memo[BATCH_MEMO_EXECUTIONS] = jsonPayload(executions);

    await ctx.history.startWorkflowExecution(
      {
        namespaceId,
        request: {
          namespace: request.namespace,
          workflowId: request.jobId,
          workflowType: { name: BATCHER_WORKFLOW_TYPE },
          taskQueue: { name: PER_NAMESPACE_TASK_QUEUE },
          input: jsonPayloads(args),
          identity,
          requestId: randomUUID(),
          workflowIdReusePolicy: WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
          memo: { fields: memo },
          searchAttributes: {
            indexedFields: {
              BatcherUser: jsonPayload(identity),
              TemporalNamespaceDivision: jsonPayload(BATCHER_NAMESPACE_DIVISION),
            },
          },
        },
      },
      call,
    );
    return {};
  };
}

/** Upstream's adjustQueryBatchTypeEnum: operations that only make sense on open runs select running ones. */
function batchQuery(kind: BatcherArgs['kind'], query: string): string {
  if (!query) return '';
  return kind === 'terminate' || kind === 'cancel' || kind === 'signal'
    ? `(${query}) AND (ExecutionStatus = 'Running')`
    : query;
}

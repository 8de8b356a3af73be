import { BATCH_MEMO_START_TIME, BATCH_MEMO_TYPE, BATCHER_NAMESPACE_DIVISION } from '@tempora/common';
import { Memo } from '@tempora/proto/common';
import type { ListBatchOperationsRequest, ListBatchOperationsResponse } from '@tempora/proto/workflowservice';
import { invalidArgument, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { operationState, operationType } from '../batches.js';
import { decodeJsonPayload } from '../schedules.js';
import { listPage, resolveVisibilityQuery } from '../visibility.js';

/**
 * Batcher workflows of the namespace (upstream ListBatchOperations), newest first. Runs a job continued as new from
 * are left out: each job is listed once, by its current run.
 */
export function listBatchOperations(ctx: FrontendContext) {
  return async (request: ListBatchOperationsRequest): Promise<DeepPartial<ListBatchOperationsResponse>> => {
    if (!request.namespace) throw invalidArgument('Namespace is not set on request.');
    const namespace = await ctx.namespaces.resolve(request.namespace);
    const query = resolveVisibilityQuery(
      ctx,
      namespace,
      `TemporalNamespaceDivision = '${BATCHER_NAMESPACE_DIVISION}' AND ExecutionStatus != 'ContinuedAsNew'`,
    );
    const page = await listPage(ctx, namespace, query, request.pageSize, request.nextPageToken, {
      method: 'ListBatchOperations',
      query: '',
    });
    return {
      operationInfo: page.executions.map((ex) => {
        const fields = ex.memo ? Memo.fromPartial(ex.memo).fields : {};
        const startTime = decodeJsonPayload<string>(fields[BATCH_MEMO_START_TIME]);
        return {
          jobId: ex.execution?.workflowId ?? '',
          state: operationState(ex.status),
          startTime: startTime ? new Date(startTime) : ex.startTime,
          closeTime: ex.closeTime,
          operationType: operationType(decodeJsonPayload<string>(fields[BATCH_MEMO_TYPE])),
        };
      }),
      nextPageToken: page.nextPageToken,
    };
  };
}

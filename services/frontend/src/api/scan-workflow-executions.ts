import type { ScanWorkflowExecutionsRequest, ScanWorkflowExecutionsResponse } from '@tempora/proto/workflowservice';
import type { DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { listPage, resolveVisibilityQuery } from '../visibility.js';

/** Upstream's deprecated bulk listing: the same pages as ListWorkflowExecutions (order is not promised). */
export function scanWorkflowExecutions(ctx: FrontendContext) {
  return async (request: ScanWorkflowExecutionsRequest): Promise<DeepPartial<ScanWorkflowExecutionsResponse>> => {
    const namespace = await ctx.namespaces.resolve(request.namespace);
    const query = resolveVisibilityQuery(ctx, namespace, request.query);
    return listPage(ctx, namespace, query, request.pageSize, request.nextPageToken, {
      method: 'ScanWorkflowExecutions',
      query: request.query,
    });
  };
}

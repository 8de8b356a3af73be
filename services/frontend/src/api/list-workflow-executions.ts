import type { ListWorkflowExecutionsRequest, ListWorkflowExecutionsResponse } from '@tempora/proto/workflowservice';
import type { DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { listPage, resolveVisibilityQuery } from '../visibility.js';

/** Runs matching a List Filter query, in upstream's default order (or ORDER BY where the store sorts). */
export function listWorkflowExecutions(ctx: FrontendContext) {
  return async (request: ListWorkflowExecutionsRequest): Promise<DeepPartial<ListWorkflowExecutionsResponse>> => {
    const namespace = await ctx.namespaces.resolve(request.namespace);
    const query = resolveVisibilityQuery(ctx, namespace, request.query);
    return listPage(ctx, namespace, query, request.pageSize, request.nextPageToken, {
      method: 'ListWorkflowExecutions',
      query: request.query,
    });
  };
}

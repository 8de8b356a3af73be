import type {
  ListClosedWorkflowExecutionsRequest,
  ListClosedWorkflowExecutionsResponse,
} from '@tempora/proto/workflowservice';
import type { DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { legacyFilterQuery } from '../legacy-list-filters.js';
import { listPage, resolveVisibilityQuery } from '../visibility.js';

/** The pre-query API: closed runs, filtered by close time and one of workflow id, type or status. */
export function listClosedWorkflowExecutions(ctx: FrontendContext) {
  return async (
    request: ListClosedWorkflowExecutionsRequest,
  ): Promise<DeepPartial<ListClosedWorkflowExecutionsResponse>> => {
    const namespace = await ctx.namespaces.resolve(request.namespace);
    const filter = legacyFilterQuery(request, { open: false });
    const query = resolveVisibilityQuery(ctx, namespace, filter);
    return listPage(ctx, namespace, query, request.maximumPageSize, request.nextPageToken, {
      method: 'ListClosedWorkflowExecutions',
      query: filter,
    });
  };
}

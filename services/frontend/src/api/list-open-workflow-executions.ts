import type {
  ListOpenWorkflowExecutionsRequest,
  ListOpenWorkflowExecutionsResponse,
} from '@tempora/proto/workflowservice';
import type { DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { legacyFilterQuery } from '../legacy-list-filters.js';
import { listPage, resolveVisibilityQuery } from '../visibility.js';

/** The pre-query API: running runs, filtered by start time and one of workflow id or type. */
export function listOpenWorkflowExecutions(ctx: FrontendContext) {
  return async (
    request: ListOpenWorkflowExecutionsRequest,
  ): Promise<DeepPartial<ListOpenWorkflowExecutionsResponse>> => {
    const namespace = await ctx.namespaces.resolve(request.namespace);
    const filter = legacyFilterQuery(request, { open: true });
    const query = resolveVisibilityQuery(ctx, namespace, filter);
    return listPage(ctx, namespace, query, request.maximumPageSize, request.nextPageToken, {
      method: 'ListOpenWorkflowExecutions',
      query: filter,
    });
  };
}

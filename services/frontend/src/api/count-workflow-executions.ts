import type { CountWorkflowExecutionsRequest, CountWorkflowExecutionsResponse } from '@tempora/proto/workflowservice';
import type { DeepPartial } from '@tempora/rpc';
import { IndexedValueType, encodeSearchAttributeValue } from '@tempora/visibility';
import type { FrontendContext } from '../context.js';
import { resolveVisibilityQuery } from '../visibility.js';

/** The number of matching runs; with GROUP BY ExecutionStatus one group per status, its value a Keyword payload. */
export function countWorkflowExecutions(ctx: FrontendContext) {
  return async (request: CountWorkflowExecutionsRequest): Promise<DeepPartial<CountWorkflowExecutionsResponse>> => {
    const namespace = await ctx.namespaces.resolve(request.namespace);
    const query = resolveVisibilityQuery(ctx, namespace, request.query, { groupBy: true });
    const result = await ctx.visibility.count({ namespaceId: namespace.info!.id, query });
    return {
      count: result.count,
      groups: (result.groups ?? []).map((g) => ({
        groupValues: [encodeSearchAttributeValue(g.value, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)],
        count: g.count,
      })),
    };
  };
}

import { SCHEDULER_WORKFLOW_ID_PREFIX } from '@tempora/common';
import type { CountSchedulesRequest, CountSchedulesResponse } from '@tempora/proto/workflowservice';
import type { DeepPartial } from '@tempora/rpc';
import { IndexedValueType, encodeSearchAttributeValue } from '@tempora/visibility';
import type { FrontendContext } from '../context.js';
import { resolveVisibilityQuery } from '../visibility.js';
import { schedulerQuery } from './list-schedules.js';

/** The number of running schedules matching the query (upstream countSchedulesWorkflow). */
export function countSchedules(ctx: FrontendContext) {
  return async (request: CountSchedulesRequest): Promise<DeepPartial<CountSchedulesResponse>> => {
    const namespace = await ctx.namespaces.resolve(request.namespace);
    const query = resolveVisibilityQuery(ctx, namespace, schedulerQuery(request.query), {
      groupBy: true,
      scheduleIdPrefix: SCHEDULER_WORKFLOW_ID_PREFIX,
    });
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

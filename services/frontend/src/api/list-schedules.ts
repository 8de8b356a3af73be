import { SCHEDULER_LIST_QUERY, SCHEDULER_WORKFLOW_ID_PREFIX } from '@tempora/common';
import { Memo } from '@tempora/proto/common';
import type { ListSchedulesRequest, ListSchedulesResponse } from '@tempora/proto/workflowservice';
import type { DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { cleanScheduleMemo, cleanScheduleSearchAttributes, fromListInfoData } from '../schedules.js';
import { listPage, resolveVisibilityQuery } from '../visibility.js';

/** Upstream's prepareSchedulerQuery: the scheduler base query, AND the caller's. */
export function schedulerQuery(query: string): string {
  return query.trim() ? `${SCHEDULER_LIST_QUERY} AND (${query})` : SCHEDULER_LIST_QUERY;
}

/** Running scheduler workflows of the namespace, as ScheduleListEntry (upstream listSchedulesWorkflow). */
export function listSchedules(ctx: FrontendContext) {
  return async (request: ListSchedulesRequest): Promise<DeepPartial<ListSchedulesResponse>> => {
    const namespace = await ctx.namespaces.resolve(request.namespace);
    const query = resolveVisibilityQuery(ctx, namespace, schedulerQuery(request.query), {
      scheduleIdPrefix: SCHEDULER_WORKFLOW_ID_PREFIX,
    });
    const page = await listPage(ctx, namespace, query, request.maximumPageSize, request.nextPageToken, {
      method: 'ListSchedules',
      query: request.query,
    });
    return {
      schedules: page.executions.map((ex) => {
        const { memo, info } = cleanScheduleMemo(ex.memo ? Memo.fromPartial(ex.memo) : undefined);
        return {
          scheduleId: (ex.execution?.workflowId ?? '').replace(SCHEDULER_WORKFLOW_ID_PREFIX, ''),
          // Upstream lists an empty memo as {}.
          memo: memo ?? { fields: {} },
          searchAttributes: cleanScheduleSearchAttributes(ex.searchAttributes),
          info: info ? fromListInfoData(info) : undefined,
        };
      }),
      nextPageToken: page.nextPageToken,
    };
  };
}

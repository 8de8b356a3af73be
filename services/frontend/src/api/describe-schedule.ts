import type { DescribeScheduleRequest, DescribeScheduleResponse } from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import {
  cleanScheduleMemo,
  cleanScheduleSearchAttributes,
  conflictTokenBytes,
  describeScheduler,
  fromInfoData,
  fromScheduleData,
} from '../schedules.js';

/** The scheduler workflow's `describe` query plus its memo and search attributes (upstream describeScheduleWorkflow). */
export function describeSchedule(ctx: FrontendContext) {
  return async (
    request: DescribeScheduleRequest,
    call: CallContext,
  ): Promise<DeepPartial<DescribeScheduleResponse>> => {
    const namespace = await ctx.namespaces.resolve(request.namespace);
    const { execution, result } = await describeScheduler(ctx, namespace, request.scheduleId, call);
    return {
      schedule: fromScheduleData(result.schedule),
      info: fromInfoData(result.info),
      memo: cleanScheduleMemo(execution?.memo).memo,
      searchAttributes: cleanScheduleSearchAttributes(execution?.searchAttributes),
      conflictToken: conflictTokenBytes(result.conflictToken),
    };
  };
}

import { compileSpec, matchingTimes, type ScheduleSpecJson } from '@tempora/schedule';
import type {
  ListScheduleMatchingTimesRequest,
  ListScheduleMatchingTimesResponse,
} from '@tempora/proto/workflowservice';
import { invalidArgument, type CallContext, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { describeScheduler, jitterSeed } from '../schedules.js';

/**
 * The schedule's action times in (start, end], at most 1000. Upstream asks the scheduler workflow (a query); the
 * spec engine is deterministic, so the frontend computes them from the spec the workflow answers with.
 */
export function listScheduleMatchingTimes(ctx: FrontendContext) {
  return async (
    request: ListScheduleMatchingTimesRequest,
    call: CallContext,
  ): Promise<DeepPartial<ListScheduleMatchingTimesResponse>> => {
    const namespace = await ctx.namespaces.resolve(request.namespace);
    if (!request.startTime || !request.endTime) throw invalidArgument('missing or invalid query');
    const { result } = await describeScheduler(ctx, namespace, request.scheduleId, call, { closed: true });
    if (result.info.invalidScheduleError)
      throw invalidArgument(`invalid schedule: ${result.info.invalidScheduleError}`);
    const compiled = compileSpec(result.schedule.spec as ScheduleSpecJson);
    const times = matchingTimes(
      compiled,
      request.startTime.getTime(),
      request.endTime.getTime(),
      jitterSeed(namespace.info!.id, request.scheduleId),
    );
    return { startTime: times.map((t) => new Date(t)) };
  };
}

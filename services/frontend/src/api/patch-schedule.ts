import { SCHEDULER_SIGNAL_PATCH } from '@tempora/common';
import type { PatchScheduleRequest, PatchScheduleResponse } from '@tempora/proto/workflowservice';
import { invalidArgument, type CallContext, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { MAX_ID_LENGTH } from '../namespaces.js';
import { patchData, SCHEDULE_NOTES_SIZE_LIMIT, signalScheduler } from '../schedules.js';

/** The `patch` signal: trigger now, backfill, pause / unpause with notes (upstream patchScheduleWorkflow). */
export function patchSchedule(ctx: FrontendContext) {
  return async (request: PatchScheduleRequest, call: CallContext): Promise<DeepPartial<PatchScheduleResponse>> => {
    if (!request.patch) throw invalidArgument('Patch is not set on request.');
    if (request.requestId.length > MAX_ID_LENGTH) throw invalidArgument('RequestId length exceeds limit.');
    if (
      request.patch.pause.length > SCHEDULE_NOTES_SIZE_LIMIT ||
      request.patch.unpause.length > SCHEDULE_NOTES_SIZE_LIMIT
    ) {
      throw invalidArgument('Schedule notes exceeds limit.');
    }
    await signalScheduler(ctx, request, SCHEDULER_SIGNAL_PATCH, patchData(request.patch), call);
    return {};
  };
}

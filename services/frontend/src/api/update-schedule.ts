import { SCHEDULER_SIGNAL_UPDATE, type ScheduleUpdateData } from '@tempora/common';
import type { UpdateScheduleRequest, UpdateScheduleResponse } from '@tempora/proto/workflowservice';
import { failedPrecondition, invalidArgument, type CallContext, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { MAX_ID_LENGTH } from '../namespaces.js';
import {
  compileScheduleSpec,
  conflictTokenFromBytes,
  decodeJsonPayload,
  signalScheduler,
  toScheduleData,
  validateScheduleAction,
} from '../schedules.js';
import { validateRequestSearchAttributes } from '../visibility.js';

/** The `update` signal with the new schedule and the caller's conflict token (upstream updateScheduleWorkflow). */
export function updateSchedule(ctx: FrontendContext) {
  return async (request: UpdateScheduleRequest, call: CallContext): Promise<DeepPartial<UpdateScheduleResponse>> => {
    if (request.requestId.length > MAX_ID_LENGTH) throw invalidArgument('RequestId length exceeds limit.');
    const namespace = await ctx.namespaces.resolve(request.namespace);
    const schedule = request.schedule ?? { spec: undefined, action: undefined, policies: undefined, state: undefined };
    const { json } = compileScheduleSpec(schedule);
    validateScheduleAction(namespace, schedule);
    validateRequestSearchAttributes(namespace, request.searchAttributes);
    if (request.memo) throw failedPrecondition('memo updates are not supported on workflow-backed schedules');
    const update: ScheduleUpdateData = {
      schedule: toScheduleData(schedule, json),
      conflictToken: conflictTokenFromBytes(request.conflictToken),
      searchAttributes: request.searchAttributes
        ? Object.fromEntries(
            Object.entries(request.searchAttributes.indexedFields).map(([name, p]) => [name, decodeJsonPayload(p)]),
          )
        : undefined,
    };
    await signalScheduler(ctx, request, SCHEDULER_SIGNAL_UPDATE, update, call);
    return {};
  };
}

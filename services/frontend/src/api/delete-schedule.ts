import type { DeleteScheduleRequest, DeleteScheduleResponse } from '@tempora/proto/workflowservice';
import type { CallContext, DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { schedulerWorkflowId } from '../schedules.js';

/** Terminates the scheduler workflow (upstream deleteScheduleWorkflow). */
export function deleteSchedule(ctx: FrontendContext) {
  return async (request: DeleteScheduleRequest, call: CallContext): Promise<DeepPartial<DeleteScheduleResponse>> => {
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    await ctx.history.terminateWorkflowExecution(
      {
        namespaceId,
        request: {
          namespace: request.namespace,
          workflowExecution: { workflowId: schedulerWorkflowId(request.scheduleId) },
          reason: 'terminated by DeleteSchedule',
          identity: request.identity,
        },
      },
      call,
    );
    return {};
  };
}

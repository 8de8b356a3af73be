import { DescribeTaskQueueMode, TaskQueueKind, TaskQueueType } from '@tempora/proto/enums';
import type { DescribeTaskQueueRequest, DescribeTaskQueueResponse } from '@tempora/proto/workflowservice';
import { invalidArgument, type CallContext, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateTaskQueue, validateUserTaskQueue } from '../validation.js';

export function describeTaskQueue(ctx: FrontendContext) {
  return async (
    request: DescribeTaskQueueRequest,
    call: CallContext,
  ): Promise<DeepPartial<DescribeTaskQueueResponse>> => {
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    const enhanced = request.apiMode === DescribeTaskQueueMode.DESCRIBE_TASK_QUEUE_MODE_ENHANCED;
    if (enhanced) {
      // Upstream's checks and defaults: the root of a normal queue, both task types unless some are named.
      validateUserTaskQueue(request.taskQueue);
      if (request.taskQueue!.kind === TaskQueueKind.TASK_QUEUE_KIND_STICKY) {
        throw invalidArgument(
          'Enhanced DescribeTaskQueue is not valid for a sticky queue, use api_mode=UNSPECIFIED or a normal queue.',
        );
      }
      request.taskQueueType = TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW;
      if (!request.taskQueueTypes.length) {
        request.taskQueueTypes = [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY];
      }
    } else {
      validateTaskQueue(request.taskQueue);
    }
    const result = await ctx.matching.describeTaskQueue({ namespaceId, request }, call);
    return result.response ?? {};
  };
}

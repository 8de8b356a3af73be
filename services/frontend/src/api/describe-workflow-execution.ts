import type {
  DescribeWorkflowExecutionRequest,
  DescribeWorkflowExecutionResponse,
} from '@tempora/proto/generated/temporal/api/workflowservice/v1/request_response';
import { notFound, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateExecution } from '../validation.js';

export function describeWorkflowExecution(ctx: FrontendContext) {
  return async (request: DescribeWorkflowExecutionRequest): Promise<DeepPartial<DescribeWorkflowExecutionResponse>> => {
    await ctx.namespaces.resolve(request.namespace);
    const execution = validateExecution(request.execution);
    throw notFound(`workflow execution not found for workflow ID "${execution.workflowId}" and run ID "${execution.runId}"`);
  };
}

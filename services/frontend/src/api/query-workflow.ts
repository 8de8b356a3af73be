import type { QueryWorkflowRequest, QueryWorkflowResponse } from '@tempora/proto/workflowservice';
import { invalidArgument, type CallContext, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateExecution } from '../validation.js';

export function queryWorkflow(ctx: FrontendContext) {
  return async (request: QueryWorkflowRequest, call: CallContext): Promise<DeepPartial<QueryWorkflowResponse>> => {
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    validateExecution(request.execution);
    if (!request.query) throw invalidArgument('WorkflowQuery is not set on request.');
    if (!request.query.queryType) throw invalidArgument('QueryType is not set on request.');
    const result = await ctx.history.queryWorkflow({ namespaceId, request }, call);
    return result.response ?? {};
  };
}

import type { DescribeNamespaceRequest, DescribeNamespaceResponse } from '@tempora/proto/workflowservice';
import { invalidArgument, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { toDescribeNamespaceResponse } from '../namespaces.js';

export function describeNamespace(ctx: FrontendContext) {
  return async (request: DescribeNamespaceRequest): Promise<DeepPartial<DescribeNamespaceResponse>> => {
    if (request.id && request.namespace) {
      throw invalidArgument('GetNamespace operation failed. Both ID and Name specified in request.');
    }
    if (!request.id && !request.namespace) throw invalidArgument('Namespace not set on request.');
    const record = request.id
      ? await ctx.namespaces.getById(request.id)
      : await ctx.namespaces.getByName(request.namespace);
    return toDescribeNamespaceResponse(record, ctx.config.limits);
  };
}

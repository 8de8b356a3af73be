import type { DeleteNamespaceRequest, DeleteNamespaceResponse } from '@tempora/proto/operatorservice';
import { invalidArgument, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';

/** Removes the namespace record, so its name can be registered again. */
export function deleteNamespace(ctx: FrontendContext) {
  return async (request: DeleteNamespaceRequest): Promise<DeepPartial<DeleteNamespaceResponse>> => {
    if (request.namespace && request.namespaceId) {
      throw invalidArgument('Only one of namespace name or Id should be set on request.');
    }
    if (!request.namespace && !request.namespaceId) throw invalidArgument('Namespace not set on request.');
    const record = request.namespaceId
      ? await ctx.namespaces.getById(request.namespaceId, { fresh: true })
      : await ctx.namespaces.getByName(request.namespace, { fresh: true });
    await ctx.namespaces.delete(record);
    ctx.logger.info({ namespace: record.info!.name }, 'namespace deleted');
    return { deletedNamespace: record.info!.name };
  };
}

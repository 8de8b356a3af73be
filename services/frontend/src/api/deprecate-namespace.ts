import { NamespaceState } from '@tempora/proto/enums';
import { NamespaceRecord } from '@tempora/proto/persistence';
import type { DeprecateNamespaceRequest, DeprecateNamespaceResponse } from '@tempora/proto/workflowservice';
import { invalidArgument, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateStateTransition, writeNamespace } from './update-namespace.js';

export function deprecateNamespace(ctx: FrontendContext) {
  return async (request: DeprecateNamespaceRequest): Promise<DeepPartial<DeprecateNamespaceResponse>> => {
    if (!request.namespace) throw invalidArgument('Namespace not set on request.');
    const current = await ctx.namespaces.getByName(request.namespace, { fresh: true });
    const next = NamespaceRecord.fromPartial(current);
    validateStateTransition(current.info!.state, NamespaceState.NAMESPACE_STATE_DEPRECATED);
    next.info!.state = NamespaceState.NAMESPACE_STATE_DEPRECATED;
    next.configVersion = current.configVersion + 1;
    await writeNamespace(ctx, next, current.configVersion);
    ctx.logger.info({ namespace: request.namespace }, 'namespace deprecated');
    return {};
  };
}

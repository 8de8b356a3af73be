import type { RemoveSearchAttributesRequest, RemoveSearchAttributesResponse } from '@tempora/proto/operatorservice';
import { NamespaceRecord } from '@tempora/proto/persistence';
import { invalidArgument, type DeepPartial } from '@tempora/rpc';
import { writeNamespace } from '../api/update-namespace.js';
import type { FrontendContext } from '../context.js';
import { namespaceSearchAttributes } from '../visibility.js';

/** Frees the fields of custom attributes; unknown names are skipped, system ones refused (upstream's rules). */
export function removeSearchAttributes(ctx: FrontendContext) {
  return async (request: RemoveSearchAttributesRequest): Promise<DeepPartial<RemoveSearchAttributesResponse>> => {
    if (!request.searchAttributes.length) throw invalidArgument('SearchAttributes are not set on request.');
    if (!request.namespace) throw invalidArgument('Namespace is not set on request.');
    const current = await ctx.namespaces.getByName(request.namespace, { fresh: true });
    const attributes = namespaceSearchAttributes(current);
    const aliases = { ...current.config?.customSearchAttributeAliases };
    let removed = 0;
    for (const name of request.searchAttributes) {
      const resolved = attributes.resolve(name);
      if (!resolved) continue;
      if (resolved.category !== 'custom')
        throw invalidArgument(`Unable to remove non-custom search attributes: ${name}.`);
      delete aliases[resolved.field];
      removed++;
    }
    if (!removed) return {};
    const next = NamespaceRecord.fromPartial(current);
    next.config!.customSearchAttributeAliases = aliases;
    next.configVersion = current.configVersion + 1;
    await writeNamespace(ctx, next, current.configVersion);
    ctx.logger.info({ namespace: request.namespace, removed: request.searchAttributes }, 'search attributes removed');
    return {};
  };
}

import type { AddSearchAttributesRequest, AddSearchAttributesResponse } from '@tempora/proto/operatorservice';
import { NamespaceRecord } from '@tempora/proto/persistence';
import { invalidArgument, type DeepPartial } from '@tempora/rpc';
import { SearchAttributeLimitError, TYPE_NAMES, isReservedSearchAttributeName, typeName } from '@tempora/visibility';
import { writeNamespace } from '../api/update-namespace.js';
import type { FrontendContext } from '../context.js';
import { namespaceSearchAttributes } from '../visibility.js';

/**
 * Gives each new name a free preallocated field of its type in the namespace (custom_search_attribute_aliases),
 * as upstream does for SQL visibility. Names that exist already are skipped, so the call is idempotent.
 */
export function addSearchAttributes(ctx: FrontendContext) {
  return async (request: AddSearchAttributesRequest): Promise<DeepPartial<AddSearchAttributesResponse>> => {
    const requested = Object.entries(request.searchAttributes);
    if (!requested.length) throw invalidArgument('SearchAttributes are not set on request.');
    for (const [name, type] of requested) {
      if (isReservedSearchAttributeName(name)) throw invalidArgument(`Search attribute ${name} is reserved by system.`);
      if (!(type in TYPE_NAMES)) throw invalidArgument(`Unknown search attribute type: ${typeName(type)}.`);
    }
    if (!request.namespace) throw invalidArgument('Namespace is not set on request.');
    const current = await ctx.namespaces.getByName(request.namespace, { fresh: true });
    let added: Record<string, string>;
    try {
      added = namespaceSearchAttributes(current).allocate(request.searchAttributes);
    } catch (err) {
      if (err instanceof SearchAttributeLimitError) throw invalidArgument(err.message);
      throw err;
    }
    if (!Object.keys(added).length) return {};
    const next = NamespaceRecord.fromPartial(current);
    next.config!.customSearchAttributeAliases = { ...next.config!.customSearchAttributeAliases, ...added };
    next.configVersion = current.configVersion + 1;
    await writeNamespace(ctx, next, current.configVersion);
    ctx.logger.info({ namespace: request.namespace, added }, 'search attributes added');
    return {};
  };
}

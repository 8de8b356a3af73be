import type { ListSearchAttributesRequest, ListSearchAttributesResponse } from '@tempora/proto/operatorservice';
import { invalidArgument, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { namespaceSearchAttributes } from '../visibility.js';

/** The namespace's custom attributes by name, and the system and predefined ones every namespace has. */
export function listSearchAttributes(ctx: FrontendContext) {
  return async (request: ListSearchAttributesRequest): Promise<DeepPartial<ListSearchAttributesResponse>> => {
    if (!request.namespace) throw invalidArgument('Namespace is not set on request.');
    const attributes = namespaceSearchAttributes(await ctx.namespaces.getByName(request.namespace));
    return { customAttributes: attributes.custom(), systemAttributes: attributes.system(), storageSchema: {} };
  };
}

import { InvalidPageTokenError } from '@tempora/persistence';
import { NamespaceState } from '@tempora/proto/enums';
import type { ListNamespacesRequest, ListNamespacesResponse } from '@tempora/proto/workflowservice';
import { invalidArgument, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { toDescribeNamespaceResponse } from '../namespaces.js';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
/** Namespaces are cluster-wide: a token is bound to this RPC only. */
const SCOPE = ['ListNamespaces'];

export function listNamespaces(ctx: FrontendContext) {
  return async (request: ListNamespacesRequest): Promise<DeepPartial<ListNamespacesResponse>> => {
    if (request.pageSize < 0 || request.pageSize > MAX_PAGE_SIZE) {
      throw invalidArgument(`Invalid page_size ${request.pageSize}: must be between 0 and ${MAX_PAGE_SIZE}.`);
    }
    let page;
    try {
      const token = ctx.pageTokens.open(SCOPE, request.nextPageToken);
      page = await ctx.stores.namespaces.listNamespaces(
        request.pageSize || DEFAULT_PAGE_SIZE,
        token.length ? token : undefined,
      );
    } catch (err) {
      if (err instanceof InvalidPageTokenError) throw invalidArgument(`Invalid next_page_token: ${err.message}`);
      throw err;
    }
    const includeDeleted = request.namespaceFilter?.includeDeleted ?? false;
    return {
      namespaces: page.items
        .filter((ns) => includeDeleted || ns.info?.state !== NamespaceState.NAMESPACE_STATE_DELETED)
        .map((record) => toDescribeNamespaceResponse(record, ctx.config.limits)),
      nextPageToken: ctx.pageTokens.seal(SCOPE, page.nextPageToken ?? new Uint8Array()),
    };
  };
}

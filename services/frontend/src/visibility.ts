// What the visibility handlers share: resolving a query for a namespace (errors as INVALID_ARGUMENT
// "invalid query: ..."), page sizes, and turning stored records into WorkflowExecutionInfo.
import { msToDuration } from '@tempora/common';
import { Memo, type SearchAttributes } from '@tempora/proto/common';
import type { WorkflowExecutionInfo } from '@tempora/proto/workflow';
import type { NamespaceRecord } from '@tempora/proto/persistence';
import { invalidArgument, type DeepPartial } from '@tempora/rpc';
import {
  InvalidPageTokenError,
  NamespaceSearchAttributes,
  QueryError,
  SearchAttributeValidationError,
  encodeSearchAttributeValue,
  resolveQuery,
  validateSearchAttributes,
  type ListResponse,
  type ResolvedQuery,
  type VisibilityRecord,
} from '@tempora/visibility';
import type { FrontendContext } from './context.js';

/** Upstream's frontend.visibilityMaxPageSize default: also the page size when a request sets none. */
export const VISIBILITY_MAX_PAGE_SIZE = 1000;

export function namespaceSearchAttributes(record: NamespaceRecord): NamespaceSearchAttributes {
  return new NamespaceSearchAttributes(record.config?.customSearchAttributeAliases ?? {});
}

export function resolveVisibilityQuery(
  ctx: FrontendContext,
  namespace: NamespaceRecord,
  query: string,
  options: { groupBy?: boolean; scheduleIdPrefix?: string } = {},
): ResolvedQuery {
  try {
    return resolveQuery(query, namespaceSearchAttributes(namespace), {
      allowOrderBy: ctx.visibility.supportsOrderBy,
      allowGroupBy: options.groupBy ?? false,
      scheduleIdPrefix: options.scheduleIdPrefix,
    });
  } catch (err) {
    if (err instanceof QueryError) throw invalidArgument(`invalid query: ${err.message}`);
    throw err;
  }
}

export function pageSizeOf(requested: number): number {
  return requested <= 0 || requested > VISIBILITY_MAX_PAGE_SIZE ? VISIBILITY_MAX_PAGE_SIZE : requested;
}

/**
 * Lists a page. Tokens are sealed for the method, namespace and query text they page (`scope`): a token changed,
 * or sent with another namespace or query, is INVALID_ARGUMENT, as is one this store did not issue.
 */
export async function listPage(
  ctx: FrontendContext,
  namespace: NamespaceRecord,
  query: ResolvedQuery,
  pageSize: number,
  pageToken: Uint8Array,
  scope: { method: string; query: string },
): Promise<{ executions: DeepPartial<WorkflowExecutionInfo>[]; nextPageToken: Buffer }> {
  const tokenScope = [scope.method, namespace.info!.id, scope.query];
  let page: ListResponse;
  try {
    page = await ctx.visibility.list({
      namespaceId: namespace.info!.id,
      query,
      pageSize: pageSizeOf(pageSize),
      pageToken: ctx.pageTokens.open(tokenScope, pageToken),
    });
  } catch (err) {
    if (err instanceof InvalidPageTokenError) throw invalidArgument(err.message);
    throw err;
  }
  const attributes = namespaceSearchAttributes(namespace);
  return {
    executions: page.records.map((r) => executionInfo(r, attributes)),
    nextPageToken: ctx.pageTokens.seal(tokenScope, page.nextPageToken),
  };
}

export function executionInfo(
  record: VisibilityRecord,
  attributes: NamespaceSearchAttributes,
): DeepPartial<WorkflowExecutionInfo> {
  const indexedFields: SearchAttributes['indexedFields'] = {};
  for (const [field, value] of Object.entries(record.searchAttributes)) {
    const alias = attributes.aliasOf(field);
    if (!alias) continue;
    indexedFields[alias] = encodeSearchAttributeValue(value, attributes.resolve(alias)!.type);
  }
  return {
    execution: { workflowId: record.workflowId, runId: record.runId },
    type: { name: record.workflowType },
    startTime: new Date(record.startTime),
    closeTime: record.closeTime === undefined ? undefined : new Date(record.closeTime),
    status: record.status,
    historyLength: record.historyLength,
    parentExecution: record.parentWorkflowId
      ? { workflowId: record.parentWorkflowId, runId: record.parentRunId ?? '' }
      : undefined,
    executionTime: new Date(record.executionTime),
    memo: record.memo ? Memo.decode(record.memo) : { fields: {} },
    searchAttributes: { indexedFields },
    taskQueue: record.taskQueue,
    stateTransitionCount: record.stateTransitionCount,
    historySizeBytes: record.historySizeBytes,
    executionDuration:
      record.executionDuration === undefined ? undefined : msToDuration(record.executionDuration / 1e6),
    rootExecution: { workflowId: record.rootWorkflowId, runId: record.rootRunId },
  };
}

/** StartWorkflowExecution (and later SignalWithStart) checks search attributes against the namespace's. */
export function validateRequestSearchAttributes(
  namespace: NamespaceRecord,
  searchAttributes: SearchAttributes | undefined,
): void {
  try {
    validateSearchAttributes(searchAttributes, namespaceSearchAttributes(namespace));
  } catch (err) {
    if (err instanceof SearchAttributeValidationError) throw invalidArgument(err.message);
    throw err;
  }
}

/** A List Filter string literal. */
export function quoted(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

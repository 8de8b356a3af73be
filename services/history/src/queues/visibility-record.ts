// A run's visibility record, built from its mutable state when the visibility task runs.
import { Memo } from '@tempora/proto/common';
import type { WorkflowMutableState } from '@tempora/proto/persistence';
import {
  decodeSearchAttributeValue,
  type NamespaceSearchAttributes,
  type SearchAttributeValue,
  type VisibilityRecord,
} from '@tempora/visibility';

/**
 * Search attributes are stored under their fields (custom aliases resolved through the namespace). A name the
 * namespace no longer defines, or a value that does not decode, is left out: writes were validated when they were
 * accepted, and a later RemoveSearchAttributes must not block the queue.
 */
export function visibilityRecord(
  state: WorkflowMutableState,
  attributes: NamespaceSearchAttributes,
  version: number,
): VisibilityRecord {
  const info = state.executionInfo!;
  const searchAttributes: Record<string, SearchAttributeValue> = {};
  for (const [name, payload] of Object.entries(info.searchAttributes?.indexedFields ?? {})) {
    const resolved = attributes.resolve(name);
    if (!resolved || resolved.category === 'system') continue;
    try {
      const value = decodeSearchAttributeValue(payload, resolved.type);
      if (value !== undefined) searchAttributes[resolved.field] = value;
    } catch {
      // See above: an undecodable value is not indexed.
    }
  }
  const startTime = info.startTime?.getTime() ?? 0;
  const executionTime = info.executionTime?.getTime() ?? startTime;
  const closeTime = info.closeTime?.getTime();
  const memoFields = info.memo?.fields ?? {};
  return {
    namespaceId: info.namespaceId,
    workflowId: info.workflowId,
    runId: info.runId,
    workflowType: info.workflowType,
    taskQueue: info.taskQueue,
    status: info.status,
    startTime,
    executionTime,
    closeTime,
    executionDuration: closeTime === undefined ? undefined : Math.max(0, closeTime - executionTime) * 1_000_000,
    historyLength: info.nextEventId - 1,
    historySizeBytes: info.historySizeBytes,
    stateTransitionCount: info.stateTransitionCount,
    rootWorkflowId: info.workflowId,
    rootRunId: info.runId,
    memo: Object.keys(memoFields).length ? Memo.encode({ fields: memoFields }).finish() : undefined,
    searchAttributes,
    version,
  };
}

/** Whether the run carries a search attribute the namespace's aliases (as given) do not define. */
export function unresolvedSearchAttribute(state: WorkflowMutableState, attributes: NamespaceSearchAttributes): boolean {
  const names = Object.keys(state.executionInfo?.searchAttributes?.indexedFields ?? {});
  return names.some((name) => attributes.resolve(name) === undefined);
}

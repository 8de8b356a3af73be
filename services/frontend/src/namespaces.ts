// Namespace validation and the DescribeNamespace shape shared by the frontend's handlers.
import { durationToMs, isValidDuration, type DurationLike, type LimitsConfig } from '@tempora/common';
import { MAX_ID_LENGTH } from '@tempora/namespace';
import type { NamespaceRecord } from '@tempora/proto/persistence';
import type { DescribeNamespaceResponse } from '@tempora/proto/workflowservice';
import { invalidArgument, type DeepPartial } from '@tempora/rpc';
import { advertisedLimits } from './size-limits.js';

/** The registry's limit on namespace names, which the frontend applies to every id. */
export { MAX_ID_LENGTH };
/** Upstream's default blob and memo size limits (limit.blobSize.error, limit.memoSize.error); config `limits` sets them. */
export const BLOB_SIZE_LIMIT_ERROR = 2 * 1024 * 1024;
export const MEMO_SIZE_LIMIT_ERROR = 2 * 1024 * 1024;

// Letters, digits, '.', '_' and '-', starting with a letter or digit: what DNS-like tooling, metrics labels and
// the CLI all handle without quoting.
const NAMESPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function validateNamespaceName(name: string): void {
  if (!name) throw invalidArgument('Namespace is not set on request.');
  if (name.length > MAX_ID_LENGTH) throw invalidArgument('Namespace length exceeds limit.');
  if (!NAMESPACE_NAME.test(name)) {
    throw invalidArgument(
      `Invalid namespace name "${name}": field namespace may contain only letters, digits, '.', '_' and '-', and must start with a letter or digit.`,
    );
  }
}

/** The minimum is config `limits.retention.minimumSeconds` (upstream's one day unless lowered). */
export function validateRetention(retention: DurationLike | undefined, limits: LimitsConfig): void {
  const minimumSeconds = limits.retention.minimumSeconds;
  if (!retention || !isValidDuration(retention) || durationToMs(retention) < minimumSeconds * 1000) {
    throw invalidArgument(
      `A valid retention period is not set on request (field workflow_execution_retention_period must be at least ${minimumSeconds}s).`,
    );
  }
}

/** What this server really implements; advertised to SDKs through DescribeNamespace. */
export function namespaceCapabilities() {
  return {
    eagerWorkflowStart: true,
    syncUpdate: true,
    asyncUpdate: true,
    // RecordWorkerHeartbeat is kept by matching and answered by ListWorkers / CountWorkers / DescribeWorker.
    workerHeartbeats: true,
    reportedProblemsSearchAttribute: false,
    workflowPause: false,
    standaloneActivities: false,
    workerPollCompleteOnShutdown: false,
    pollerAutoscaling: false,
    workerCommands: false,
    standaloneNexusOperation: false,
    workflowUpdateCallbacks: false,
    pollerAutoscalingAutoEnroll: false,
    workflowTaskCompletionPagination: false,
  };
}

export function toDescribeNamespaceResponse(
  record: NamespaceRecord,
  limits: LimitsConfig,
): DeepPartial<DescribeNamespaceResponse> {
  return {
    namespaceInfo: {
      ...record.info,
      capabilities: namespaceCapabilities(),
      limits: advertisedLimits(limits),
      supportsSchedules: true,
    },
    config: record.config,
    replicationConfig: record.replicationConfig,
    isGlobalNamespace: record.isGlobalNamespace,
    failoverVersion: record.failoverVersion,
    failoverHistory: [],
  };
}

// Namespace resolution and validation shared by the frontend's handlers.
import { durationToMs, isValidDuration, type DurationLike } from '@tempora/common';
import type { NamespaceStore } from '@tempora/persistence';
import { NamespaceState } from '@tempora/proto/generated/temporal/api/enums/v1/namespace';
import type { NamespaceRecord } from '@tempora/proto/generated/tempora/persistence/v1/records';
import type { DescribeNamespaceResponse } from '@tempora/proto/generated/temporal/api/workflowservice/v1/request_response';
import { invalidArgument, namespaceNotFound, type DeepPartial } from '@tempora/rpc';

/** Upstream's limit on ids and names (dynamic config limit.maxIDLength). */
export const MAX_ID_LENGTH = 1000;
/** Upstream's hard minimum for local namespaces (MinRetentionLocal); zero would read as "forever". */
export const MIN_RETENTION_MS = 1000;
/** Upstream's default blob and memo size limits (limit.blobSize.error, limit.memoSize.error). */
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

export function validateRetention(retention: DurationLike | undefined): void {
  if (!retention || !isValidDuration(retention) || durationToMs(retention) < MIN_RETENTION_MS) {
    throw invalidArgument(
      'A valid retention period is not set on request (field workflow_execution_retention_period must be at least 1s).',
    );
  }
}

/**
 * Looks namespaces up in the store. Reads go to the store every time: it is local (SQLite) or a single-partition
 * read (Cassandra), and a cache would make a just-registered namespace invisible to the next call.
 */
export class NamespaceRegistry {
  constructor(private readonly store: NamespaceStore) {}

  async getByName(name: string): Promise<NamespaceRecord> {
    const record = await this.store.getNamespaceByName(name);
    if (!record) throw namespaceNotFound(name);
    return record;
  }

  async getById(id: string): Promise<NamespaceRecord> {
    const record = await this.store.getNamespaceById(id);
    if (!record) throw namespaceNotFound(id);
    return record;
  }

  /** Resolves the namespace a workflow call names; it must exist and be usable. */
  async resolve(name: string): Promise<NamespaceRecord> {
    if (!name) throw invalidArgument('Namespace not set on request.');
    if (name.length > MAX_ID_LENGTH) throw invalidArgument('Namespace length exceeds limit.');
    return usable(await this.getByName(name), name);
  }

  /** The id of the namespace a workflow call names (see resolve). */
  async resolveId(name: string): Promise<string> {
    return (await this.resolve(name)).info!.id;
  }

  /** Resolves the namespace a task token names by id; it must exist and be usable. */
  async resolveById(id: string): Promise<NamespaceRecord> {
    if (!id) throw invalidArgument('Namespace not set on request.');
    return usable(await this.getById(id), id);
  }
}

/** Workflow calls treat a namespace in state DELETED as absent. */
function usable(record: NamespaceRecord, reference: string): NamespaceRecord {
  if (record.info?.state === NamespaceState.NAMESPACE_STATE_DELETED) throw namespaceNotFound(reference);
  return record;
}

/** What this server really implements; advertised to SDKs through DescribeNamespace. */
export function namespaceCapabilities() {
  return {
    eagerWorkflowStart: false,
    syncUpdate: true,
    asyncUpdate: true,
    workerHeartbeats: false,
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

export function toDescribeNamespaceResponse(record: NamespaceRecord): DeepPartial<DescribeNamespaceResponse> {
  return {
    namespaceInfo: {
      ...record.info,
      capabilities: namespaceCapabilities(),
      limits: { blobSizeLimitError: BLOB_SIZE_LIMIT_ERROR, memoSizeLimitError: MEMO_SIZE_LIMIT_ERROR },
      supportsSchedules: false,
    },
    config: record.config,
    replicationConfig: record.replicationConfig,
    isGlobalNamespace: record.isGlobalNamespace,
    failoverVersion: record.failoverVersion,
    failoverHistory: [],
  };
}

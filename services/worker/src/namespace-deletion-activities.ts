// The namespace-deletion workflows' activities (upstream service/worker/deletenamespace): they work on the namespace
// registry, the visibility store and history directly, as upstream's do, because the frontend treats a namespace in
// state DELETED as absent.
import { Context, heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { SYSTEM_NAMESPACE, type DeleteExecutionsResult, type DeleteNamespaceArgs, type Logger } from '@tempora/common';
import type { NamespaceRegistry } from '@tempora/namespace';
import { NamespaceState } from '@tempora/proto/enums';
import type { HistoryServiceServer } from '@tempora/proto/internal';
import { NamespaceRecord } from '@tempora/proto/persistence';
import { Code, isRpcError, type RpcClient } from '@tempora/rpc';
import type { VisibilityStore } from '@tempora/visibility';

/** Upstream's error types: DeleteNamespace answers INVALID_ARGUMENT / FAILED_PRECONDITION with their message. */
export const INVALID_ARGUMENT_ERROR = 'InvalidArgument';
export const FAILED_PRECONDITION_ERROR = 'FailedPrecondition';
/** Runs one deleteExecutions activity reads from visibility (upstream's default page size). */
const PAGE_SIZE = 1000;
/** Matches every run of the namespace, scheduler workflows included (no division filter). */
const EVERY_RUN = { orderBy: [] };

export interface NamespaceDeletionDeps {
  namespaces: NamespaceRegistry;
  visibility: VisibilityStore;
  history: RpcClient<HistoryServiceServer>;
  /** Runs deleted per second by one activity (upstream DeleteActivityRPS, default 100); 0 = no limit. */
  deletesPerSecond: number;
  logger: Logger;
}

export type NamespaceDeletionActivities = ReturnType<typeof createNamespaceDeletionActivities>;

const isNotFound = (err: unknown) => isRpcError(err) && err.code === Code.NOT_FOUND;

export function createNamespaceDeletionActivities(deps: () => NamespaceDeletionDeps) {
  async function lookup(args: DeleteNamespaceArgs): Promise<NamespaceRecord> {
    const { namespaces } = deps();
    try {
      return args.namespaceId
        ? await namespaces.getById(args.namespaceId, { fresh: true })
        : await namespaces.getByName(args.namespace, { fresh: true });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      throw ApplicationFailure.nonRetryable(
        `namespace ${args.namespace || args.namespaceId} is not found`,
        INVALID_ARGUMENT_ERROR,
      );
    }
  }

  return {
    /** The namespace to delete, refusing temporal-system. */
    async getNamespaceInfo(args: DeleteNamespaceArgs): Promise<{ namespaceId: string; namespace: string }> {
      const record = await lookup(args);
      const { id, name } = record.info!;
      if (name === SYSTEM_NAMESPACE) {
        throw ApplicationFailure.nonRetryable('unable to delete system namespace', FAILED_PRECONDITION_ERROR);
      }
      return { namespaceId: id, namespace: name };
    },

    /** From here on the frontend treats the namespace as absent: no new runs, no calls on its runs. */
    async markNamespaceDeleted(namespaceId: string): Promise<void> {
      const current = await lookup({ namespace: '', namespaceId });
      if (current.info!.state === NamespaceState.NAMESPACE_STATE_DELETED) return;
      const next = NamespaceRecord.fromPartial({
        ...current,
        info: { ...current.info, state: NamespaceState.NAMESPACE_STATE_DELETED },
        configVersion: current.configVersion + 1,
      });
      await deps().namespaces.update(next, current.configVersion);
    },

    /** Upstream's tombstone name, `<name>-deleted-<first 5 chars of the id>` (longer on a collision). */
    async generateDeletedNamespaceName(namespaceId: string, namespace: string): Promise<string> {
      for (let length = 5; length <= namespaceId.length; length++) {
        const suffix = `-deleted-${namespaceId.slice(0, length)}`;
        if (namespace.endsWith(suffix)) return namespace;
        const taken = await deps().namespaces.refByName(`${namespace}${suffix}`);
        if (!taken || taken.id === namespaceId) return `${namespace}${suffix}`;
      }
      throw new Error(
        `unable to generate new name for deleted namespace ${namespace}: id ${namespaceId} is not unique`,
      );
    },

    /** Frees the name: it can be registered again at once. */
    async renameNamespace(namespaceId: string, newName: string): Promise<void> {
      const current = await lookup({ namespace: '', namespaceId });
      const previousName = current.info!.name;
      if (previousName === newName) return;
      const renamed = NamespaceRecord.fromPartial({
        ...current,
        info: { ...current.info, name: newName },
        configVersion: current.configVersion + 1,
      });
      await deps().namespaces.rename(renamed, previousName, current.configVersion);
    },

    /**
     * Asks history to delete one page of the namespace's runs, paced: a running run is terminated first and deleted
     * once its close is processed. A visibility record whose run is already gone is removed directly.
     */
    async deleteExecutions(namespaceId: string): Promise<DeleteExecutionsResult> {
      const { visibility, history, deletesPerSecond } = deps();
      const page = await visibility.list({ namespaceId, query: EVERY_RUN, pageSize: PAGE_SIZE });
      const spacingMs = deletesPerSecond > 0 ? 1000 / deletesPerSecond : 0;
      let deleted = 0;
      for (const record of page.records) {
        const started = Date.now();
        try {
          await history.deleteWorkflowExecution({
            namespaceId,
            execution: { workflowId: record.workflowId, runId: record.runId },
          });
        } catch (err) {
          if (!isNotFound(err)) throw err;
          // Orphaned record: a version above any task id wins over every earlier write.
          const { workflowId, runId } = record;
          await visibility.write([
            { kind: 'delete', namespaceId, workflowId, runId, version: Number.MAX_SAFE_INTEGER },
          ]);
        }
        deleted++;
        heartbeat(deleted);
        if (Context.current().cancellationSignal.aborted) break;
        const wait = started + spacingMs - Date.now();
        if (wait > 0) await Context.current().sleep(wait);
      }
      const { count } = await visibility.count({ namespaceId, query: EVERY_RUN });
      deps().logger.info({ namespaceId, deleted, remaining: count }, 'deleting executions of a deleted namespace');
      return { deleted, remaining: count };
    },

    /** The last step: the namespace record goes; its id is never reused. */
    async deleteNamespace(namespaceId: string): Promise<void> {
      const { namespaces } = deps();
      const record = await namespaces.getById(namespaceId, { fresh: true }).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
      if (record) await namespaces.delete(record);
    },
  };
}

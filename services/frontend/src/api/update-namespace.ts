import { ConditionFailedError } from '@tempora/persistence';
import { NamespaceState, ReplicationState } from '@tempora/proto/enums';
import { NamespaceRecord } from '@tempora/proto/persistence';
import type { UpdateNamespaceRequest, UpdateNamespaceResponse } from '@tempora/proto/workflowservice';
import { Code, RpcError, invalidArgument, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { toDescribeNamespaceResponse, validateRetention } from '../namespaces.js';

/** Upstream's cap on stored bad binaries (MaxBadBinaries). */
const MAX_BAD_BINARIES = 10;

export function updateNamespace(ctx: FrontendContext) {
  return async (request: UpdateNamespaceRequest): Promise<DeepPartial<UpdateNamespaceResponse>> => {
    if (!request.namespace) throw invalidArgument('Namespace not set on request.');
    const current = await ctx.namespaces.getByName(request.namespace, { fresh: true });
    const next = NamespaceRecord.fromPartial(current);
    const info = next.info!;
    const config = next.config!;
    const replication = next.replicationConfig!;
    let changed = false;

    if (request.promoteNamespace) {
      throw invalidArgument(
        `global namespace is not enabled on this cluster, cannot promote namespace: ${request.namespace}`,
      );
    }
    if (request.updateInfo) {
      const update = request.updateInfo;
      if (update.description) [info.description, changed] = [update.description, true];
      if (update.ownerEmail) [info.ownerEmail, changed] = [update.ownerEmail, true];
      if (Object.keys(update.data).length) [info.data, changed] = [{ ...info.data, ...update.data }, true];
      if (update.state !== NamespaceState.NAMESPACE_STATE_UNSPECIFIED && update.state !== info.state) {
        validateStateTransition(info.state, update.state);
        [info.state, changed] = [update.state, true];
      }
    }
    if (request.config) {
      const update = request.config;
      if (update.workflowExecutionRetentionTtl) {
        validateRetention(update.workflowExecutionRetentionTtl, ctx.config.limits);
        [config.workflowExecutionRetentionTtl, changed] = [update.workflowExecutionRetentionTtl, true];
      }
      if (update.badBinaries && Object.keys(update.badBinaries.binaries).length) {
        const binaries = { ...config.badBinaries?.binaries };
        for (const [checksum, binary] of Object.entries(update.badBinaries.binaries)) {
          binaries[checksum] = { ...binary, createTime: binary.createTime ?? new Date() };
        }
        if (Object.keys(binaries).length > MAX_BAD_BINARIES) {
          throw invalidArgument(`Total resetBinaries cannot exceed the max limit: ${MAX_BAD_BINARIES}`);
        }
        [config.badBinaries, changed] = [{ binaries }, true];
      }
      if (update.customSearchAttributeAliases && Object.keys(update.customSearchAttributeAliases).length) {
        throw invalidArgument(
          'custom_search_attribute_aliases cannot be set here: use OperatorService AddSearchAttributes / RemoveSearchAttributes.',
        );
      }
    }
    if (request.deleteBadBinary) {
      const binaries = { ...config.badBinaries?.binaries };
      if (!(request.deleteBadBinary in binaries)) {
        throw invalidArgument(`Bad binary checksum ${request.deleteBadBinary} doesn't exists.`);
      }
      delete binaries[request.deleteBadBinary];
      [config.badBinaries, changed] = [{ binaries }, true];
    }
    if (request.replicationConfig) {
      const update = request.replicationConfig;
      const clusterName = ctx.cluster.clusterName;
      for (const cluster of update.clusters) {
        if (cluster.clusterName !== clusterName) {
          throw invalidArgument(
            `Invalid replication_config.clusters entry "${cluster.clusterName}": this cluster is "${clusterName}".`,
          );
        }
      }
      if (update.activeClusterName && update.activeClusterName !== clusterName) {
        throw invalidArgument(
          `Invalid replication_config.active_cluster_name "${update.activeClusterName}": this cluster is "${clusterName}".`,
        );
      }
      if (update.state !== ReplicationState.REPLICATION_STATE_UNSPECIFIED && update.state !== replication.state) {
        throw invalidArgument('replication_config.state cannot change: this cluster does not replicate.');
      }
    }

    if (changed) {
      next.configVersion = current.configVersion + 1;
      await writeNamespace(ctx, next, current.configVersion);
      ctx.logger.info({ namespace: request.namespace }, 'namespace updated');
    }
    return { ...toDescribeNamespaceResponse(next, ctx.config.limits) };
  };
}

/** Upstream allows Registered -> Deprecated|Deleted and Deprecated -> Deleted only. */
export function validateStateTransition(from: NamespaceState, to: NamespaceState): void {
  const allowed =
    (from === NamespaceState.NAMESPACE_STATE_REGISTERED &&
      (to === NamespaceState.NAMESPACE_STATE_DEPRECATED || to === NamespaceState.NAMESPACE_STATE_DELETED)) ||
    (from === NamespaceState.NAMESPACE_STATE_DEPRECATED && to === NamespaceState.NAMESPACE_STATE_DELETED);
  if (!allowed) throw invalidArgument('Invalid namespace state update (field update_info.state).');
}

/** A concurrent update of the same namespace loses cleanly instead of overwriting the other one. */
export async function writeNamespace(
  ctx: FrontendContext,
  record: NamespaceRecord,
  expectedConfigVersion: number,
): Promise<void> {
  try {
    await ctx.namespaces.update(record, expectedConfigVersion);
  } catch (err) {
    if (err instanceof ConditionFailedError) {
      throw new RpcError(Code.ABORTED, `Namespace ${record.info?.name} was updated concurrently; retry the update.`);
    }
    throw err;
  }
}

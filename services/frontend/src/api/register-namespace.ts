import { randomUUID } from 'node:crypto';
import { NamespaceAlreadyExistsError } from '@tempora/persistence';
import { ArchivalState, NamespaceState, ReplicationState } from '@tempora/proto/enums';
import { NamespaceRecord } from '@tempora/proto/persistence';
import type { RegisterNamespaceRequest, RegisterNamespaceResponse } from '@tempora/proto/workflowservice';
import { invalidArgument, namespaceAlreadyExists, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { validateNamespaceName, validateRetention } from '../namespaces.js';

export function registerNamespace(ctx: FrontendContext) {
  return async (request: RegisterNamespaceRequest): Promise<DeepPartial<RegisterNamespaceResponse>> => {
    validateNamespaceName(request.namespace);
    if (request.isGlobalNamespace) {
      throw invalidArgument('Cannot register global namespace when not enabled (field is_global_namespace).');
    }
    validateRetention(request.workflowExecutionRetentionPeriod, ctx.config.limits);
    const clusterName = ctx.cluster.clusterName;
    if (request.activeClusterName && request.activeClusterName !== clusterName) {
      throw invalidArgument(
        `Invalid active_cluster_name "${request.activeClusterName}": this cluster is "${clusterName}".`,
      );
    }
    for (const cluster of request.clusters) {
      if (cluster.clusterName !== clusterName) {
        throw invalidArgument(`Invalid clusters entry "${cluster.clusterName}": this cluster is "${clusterName}".`);
      }
    }
    await createNamespace(ctx, request);
    ctx.logger.info({ namespace: request.namespace }, 'namespace registered');
    return {};
  };
}

/** Also used at start to register the configured namespaces (`default`). */
export async function createNamespace(ctx: FrontendContext, request: RegisterNamespaceRequest): Promise<void> {
  const record = NamespaceRecord.fromPartial({
    info: {
      id: randomUUID(),
      name: request.namespace,
      state: NamespaceState.NAMESPACE_STATE_REGISTERED,
      description: request.description,
      ownerEmail: request.ownerEmail,
      data: request.data,
    },
    config: {
      workflowExecutionRetentionTtl: request.workflowExecutionRetentionPeriod,
      historyArchivalState: ArchivalState.ARCHIVAL_STATE_DISABLED,
      visibilityArchivalState: ArchivalState.ARCHIVAL_STATE_DISABLED,
      badBinaries: { binaries: {} },
    },
    replicationConfig: {
      activeClusterName: ctx.cluster.clusterName,
      clusters: [{ clusterName: ctx.cluster.clusterName }],
      state: ReplicationState.REPLICATION_STATE_NORMAL,
    },
    isGlobalNamespace: false,
    configVersion: 0,
    failoverVersion: 0,
    createdTime: new Date(),
  });
  try {
    await ctx.namespaces.create(record);
  } catch (err) {
    if (err instanceof NamespaceAlreadyExistsError) throw namespaceAlreadyExists(request.namespace);
    throw err;
  }
}

import { SERVER_VERSION } from '@tempora/common';
import type { GetClusterInfoResponse } from '@tempora/proto/workflowservice';
import type { DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';

export function getClusterInfo(ctx: FrontendContext) {
  return async (): Promise<DeepPartial<GetClusterInfoResponse>> => ({
    supportedClients: {},
    serverVersion: SERVER_VERSION,
    clusterId: ctx.cluster.clusterId,
    clusterName: ctx.cluster.clusterName,
    historyShardCount: ctx.cluster.historyShardCount,
    persistenceStore: ctx.config.persistence.driver,
    visibilityStore: ctx.config.persistence.driver,
    failoverVersionIncrement: 10,
    initialFailoverVersion: 1,
  });
}

import type { ListClustersResponse } from '@tempora/proto/operatorservice';
import type { DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';

/**
 * The clusters this one knows: only itself (Tempora has no multi-cluster replication), described from the cluster
 * metadata as upstream lists its own entry. The address is the frontend's advertised gRPC address.
 */
export function listClusters(ctx: FrontendContext) {
  return async (): Promise<DeepPartial<ListClustersResponse>> => {
    const { config, cluster } = ctx;
    return {
      clusters: [
        {
          clusterName: cluster.clusterName,
          clusterId: cluster.clusterId,
          address: `${config.broadcastAddress || config.bindIp}:${config.services.frontend.grpcPort}`,
          initialFailoverVersion: 1,
          historyShardCount: cluster.historyShardCount,
          isConnectionEnabled: true,
        },
      ],
    };
  };
}

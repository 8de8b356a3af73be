import { SERVER_VERSION } from '@tempora/common';
import type { GetClusterInfoResponse } from '@tempora/proto/workflowservice';
import type { DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';

/** The client versions upstream's server accepts (headers.SupportedClients), which it advertises here. */
export const SUPPORTED_CLIENTS: Readonly<Record<string, string>> = {
  'temporal-go': '<2.0.0',
  'temporal-java': '<2.0.0',
  'temporal-php': '<2.0.0',
  'temporal-typescript': '<2.0.0',
  'temporal-cli': '<2.0.0',
  'temporal-server': '<2.0.0',
  'temporal-ui': '<3.0.0',
  'Nexus-go-sdk': '<2.0.0',
};

export function getClusterInfo(ctx: FrontendContext) {
  return async (): Promise<DeepPartial<GetClusterInfoResponse>> => ({
    supportedClients: { ...SUPPORTED_CLIENTS },
    serverVersion: SERVER_VERSION,
    clusterId: ctx.cluster.clusterId,
    clusterName: ctx.cluster.clusterName,
    historyShardCount: ctx.layout.baseShardCount,
    // The stores in use, named as upstream names its plugins ("sqlite", "cassandra"; "sqlite", "elasticsearch").
    persistenceStore: ctx.config.persistence.driver,
    visibilityStore: ctx.config.visibility.driver,
    failoverVersionIncrement: 10,
    initialFailoverVersion: 1,
  });
}

import type { Logger, TemporaConfig } from '@tempora/common';
import type { Membership, ShardLayout } from '@tempora/membership';
import type { NamespaceRegistry } from '@tempora/namespace';
import type { PersistenceStores } from '@tempora/persistence';
import type { HistoryServiceServer, MatchingServiceServer } from '@tempora/proto/internal';
import type { ClusterMetadataRecord } from '@tempora/proto/persistence';
import type { PageTokens, RpcClient } from '@tempora/rpc';
import type { VisibilityStore } from '@tempora/visibility';

/**
 * What every frontend handler may use. Handlers reach history and matching only through their clients, passing
 * their own CallContext as the call options so the caller's deadline and cancellation travel with the request.
 */
export interface FrontendContext {
  config: TemporaConfig;
  logger: Logger;
  stores: PersistenceStores;
  cluster: ClusterMetadataRecord;
  /** Where executions live now (a reshard changes it). */
  layout: ShardLayout;
  namespaces: NamespaceRegistry;
  history: RpcClient<HistoryServiceServer>;
  matching: RpcClient<MatchingServiceServer>;
  /** Read directly, as upstream's frontend does: visibility is a store, not a service. */
  visibility: VisibilityStore;
  /** The cluster's rings, for the admin API. */
  membership: Membership;
  /** Seals every page token a paged RPC hands out, and opens the ones callers send back. */
  pageTokens: PageTokens;
}

import type { Logger } from '@tempora/common';
import type { NamespaceRegistry } from '@tempora/namespace';
import type { PersistenceStores } from '@tempora/persistence';
import type { HistoryServiceServer, MatchingServiceServer } from '@tempora/proto/internal';
import type { RpcClient } from '@tempora/rpc';
import type { HistoryLimits } from './execution-manager.js';
import type { QueryRegistry } from './queries/query-registry.js';
import type { ShardController } from './shard-controller.js';
import type { UpdateRegistry } from './updates/update-registry.js';

/** What every history handler may use. */
export interface HistoryContext {
  logger: Logger;
  stores: PersistenceStores;
  shards: ShardController;
  matching: RpcClient<MatchingServiceServer>;
  /** History itself, routed by workflow: how a run reaches runs on other shards (children, parents, external). */
  history: RpcClient<HistoryServiceServer>;
  namespaces: NamespaceRegistry;
  /** Consistent queries waiting for a workflow task, per run (in memory). */
  queries: QueryRegistry;
  /** Admitted and in-progress workflow updates, per run (in memory; accepted ones are also in mutable state). */
  updates: UpdateRegistry;
  /** limits.historySize / limits.historyCount (continue-as-new suggestion, warn, terminate). */
  historyLimits: HistoryLimits;
}

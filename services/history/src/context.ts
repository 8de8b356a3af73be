import type { Logger } from '@tempora/common';
import type { PersistenceStores } from '@tempora/persistence';
import type { MatchingServiceServer } from '@tempora/proto/generated/tempora/internal/v1/matching_service';
import type { RpcClient } from '@tempora/rpc';
import type { ShardController } from './shard-controller.js';

/** What every history handler may use. */
export interface HistoryContext {
  logger: Logger;
  stores: PersistenceStores;
  shards: ShardController;
  matching: RpcClient<MatchingServiceServer>;
}

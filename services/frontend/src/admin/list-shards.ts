import { shardRingKey } from '@tempora/membership';
import type { ListShardsResponse } from '@tempora/proto/admin';
import type { DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { reshardStatus } from './reshard-status.js';

/**
 * Each history shard's owner on the ring next to the owner and range id in the store. They differ while a shard
 * moves (the new owner has not acquired it yet) and for a stopped cluster (the store keeps the last owner). Read
 * from the store, not this frontend's cached layout, so a reshard's progress shows at once.
 */
export function listShards(ctx: FrontendContext) {
  return async (): Promise<DeepPartial<ListShardsResponse>> => {
    const metadata = await ctx.stores.clusterMetadata.getClusterMetadata();
    if (metadata) ctx.layout.update(metadata);
    const { layout } = ctx;
    const shards = [];
    for (const shardId of layout.liveShards()) {
      const record = await ctx.stores.shards.getOrCreateShard(shardId);
      const ringOwner = ctx.membership.owner('history', shardRingKey(shardId));
      shards.push({ shardId, ringOwner: ringOwner?.identity ?? '', storeOwner: record.owner, rangeId: record.rangeId });
    }
    return {
      shards,
      shardCount: layout.baseShardCount,
      reshard: reshardStatus(layout.reshard),
      lastReshard: reshardStatus(layout.lastReshard),
    };
  };
}

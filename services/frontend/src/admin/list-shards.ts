import { shardRingKey } from '@tempora/membership';
import type { ListShardsResponse } from '@tempora/proto/admin';
import type { DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';

/**
 * Each history shard's owner on the ring next to the owner and range id in the store. They differ while a shard
 * moves (the new owner has not acquired it yet) and for a stopped cluster (the store keeps the last owner).
 */
export function listShards(ctx: FrontendContext) {
  return async (): Promise<DeepPartial<ListShardsResponse>> => {
    const shards = [];
    for (let shardId = 1; shardId <= ctx.cluster.historyShardCount; shardId++) {
      const record = await ctx.stores.shards.getOrCreateShard(shardId);
      const ringOwner = ctx.membership.owner('history', shardRingKey(shardId));
      shards.push({ shardId, ringOwner: ringOwner?.identity ?? '', storeOwner: record.owner, rangeId: record.rangeId });
    }
    return { shards };
  };
}

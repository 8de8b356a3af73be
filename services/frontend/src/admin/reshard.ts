import { MAX_HISTORY_SHARDS } from '@tempora/common';
import { ConditionFailedError } from '@tempora/persistence';
import type { ReshardRequest, ReshardResponse } from '@tempora/proto/admin';
import { ClusterMetadataRecord } from '@tempora/proto/persistence';
import { failedPrecondition, invalidArgument, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { reshardStatus } from './reshard-status.js';

/**
 * Records the reshard in cluster metadata; history hosts see it and split the old shards they own. Asking again for
 * the count in progress (or already reached) answers its status, so a rerun of `tempora admin reshard` resumes
 * watching. Only multiples of the current count: each old shard then splits into new ones by itself, so a move
 * never needs two old shards at once and stays bounded by one shard's rows.
 */
export function reshard(ctx: FrontendContext) {
  return async ({ shardCount }: ReshardRequest): Promise<DeepPartial<ReshardResponse>> => {
    for (;;) {
      const stored = await ctx.stores.clusterMetadata.getClusterMetadata();
      if (!stored) throw failedPrecondition('The cluster metadata is not initialized.');
      ctx.layout.update(stored);
      const current = stored.historyShardCount;
      if (stored.reshard) {
        if (stored.reshard.toShardCount === shardCount) return { status: reshardStatus(stored.reshard) };
        throw failedPrecondition(
          `A reshard from ${stored.reshard.fromShardCount} to ${stored.reshard.toShardCount} shards is in progress; ` +
            'wait for it to finish before starting another.',
        );
      }
      if (shardCount === current && stored.lastReshard?.toShardCount === current)
        return { status: reshardStatus(stored.lastReshard) };
      if (!Number.isInteger(shardCount) || shardCount <= current || shardCount % current !== 0) {
        throw invalidArgument(
          `shard_count ${shardCount} must be a multiple of the current history shard count ${current} and larger.`,
        );
      }
      if (shardCount > MAX_HISTORY_SHARDS)
        throw invalidArgument(`shard_count ${shardCount} is above the maximum of ${MAX_HISTORY_SHARDS}.`);
      const next = ClusterMetadataRecord.fromPartial({
        ...stored,
        version: stored.version + 1,
        reshard: { fromShardCount: current, toShardCount: shardCount, splitShards: [], startedTime: new Date() },
      });
      try {
        await ctx.stores.clusterMetadata.updateClusterMetadata(next, stored.version);
      } catch (err) {
        if (err instanceof ConditionFailedError) continue;
        throw err;
      }
      ctx.logger.info({ from: current, to: shardCount }, 'reshard started');
      ctx.layout.update(next);
      return { status: reshardStatus(next.reshard) };
    }
  };
}

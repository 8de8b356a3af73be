import { describe, expect, it } from '@jest/globals';
import { createLogger } from '@tempora/common';
import { ShardLayout } from '@tempora/membership';
import { openSqliteStores } from '@tempora/persistence';
import { ClusterMetadataRecord } from '@tempora/proto/persistence';
import { Code, RpcError } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { reshard } from './reshard.js';

async function frontendOn(shardCount: number) {
  const stores = openSqliteStores();
  const record = await stores.clusterMetadata.initializeClusterMetadata(
    ClusterMetadataRecord.fromPartial({ clusterName: 'c', historyShardCount: shardCount }),
  );
  const layout = new ShardLayout(record);
  const ctx = { stores, layout, logger: createLogger('silent') } as unknown as FrontendContext;
  return { stores, layout, call: reshard(ctx) };
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'OK',
    (err: unknown) => (err instanceof RpcError ? `${Code[err.code]}: ${err.message}` : String(err)),
  );

describe('AdminService.Reshard', () => {
  it('records a reshard to a multiple and answers its status; asking again for that count resumes it', async () => {
    const { stores, layout, call } = await frontendOn(4);
    const first = await call({ shardCount: 16 });
    expect(first.status).toMatchObject({ fromShardCount: 4, toShardCount: 16, splitShards: 0 });
    const stored = (await stores.clusterMetadata.getClusterMetadata())!;
    expect([stored.version, stored.reshard?.toShardCount, layout.reshard?.toShardCount]).toEqual([1, 16, 16]);
    expect((await call({ shardCount: 16 })).status).toMatchObject({ toShardCount: 16 });
    expect((await stores.clusterMetadata.getClusterMetadata())!.version).toBe(1);
  });

  it('refuses another count while a reshard runs, and counts that are not larger multiples', async () => {
    const { call } = await frontendOn(4);
    expect(await codeOf(call({ shardCount: 6 }))).toBe(
      'INVALID_ARGUMENT: shard_count 6 must be a multiple of the current history shard count 4 and larger.',
    );
    expect(await codeOf(call({ shardCount: 2 }))).toMatch(/^INVALID_ARGUMENT: shard_count 2 must be a multiple/);
    expect(await codeOf(call({ shardCount: 4 * 8192 }))).toBe(
      'INVALID_ARGUMENT: shard_count 32768 is above the maximum of 16384.',
    );
    await call({ shardCount: 8 });
    expect(await codeOf(call({ shardCount: 16 }))).toBe(
      'FAILED_PRECONDITION: A reshard from 4 to 8 shards is in progress; wait for it to finish before starting another.',
    );
  });
});

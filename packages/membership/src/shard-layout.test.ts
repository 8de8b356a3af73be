import { describe, expect, it } from '@jest/globals';
import { ClusterMetadataRecord } from '@tempora/proto/persistence';
import { shardIdFor } from './routing.js';
import { ShardLayout } from './shard-layout.js';

const record = (fields: Parameters<typeof ClusterMetadataRecord.fromPartial>[0]) =>
  ClusterMetadataRecord.fromPartial({ historyShardCount: 4, ...fields });
const workflowIds = Array.from({ length: 400 }, (_, i) => `wf-${i}`);

describe('ShardLayout', () => {
  it('routes by the shard count alone when no reshard runs', () => {
    const layout = new ShardLayout(record({ version: 1 }));
    for (const id of workflowIds) expect(layout.shardFor('ns', id)).toBe(shardIdFor('ns', id, 4));
    expect(layout.liveShards()).toEqual([1, 2, 3, 4]);
  });

  it('routes the executions of split shards by the new count, the others by the old one', () => {
    const layout = new ShardLayout(
      record({ version: 2, reshard: { fromShardCount: 4, toShardCount: 16, splitShards: [2] } }),
    );
    for (const id of workflowIds) {
      const old = shardIdFor('ns', id, 4);
      const routed = layout.shardFor('ns', id);
      if (old === 2) {
        expect(routed).toBe(shardIdFor('ns', id, 16));
        // A split shard's executions stay on it or move to one of its own targets.
        expect([2, 6, 10, 14]).toContain(routed);
      } else {
        expect(routed).toBe(old);
      }
    }
    expect(layout.liveShards()).toEqual([1, 2, 3, 4, 6, 10, 14]);
    expect(layout.isSplit(2)).toBe(true);
    expect(layout.isSplit(1)).toBe(false);
  });

  it('takes only newer records and tells its listeners', () => {
    const layout = new ShardLayout(record({ version: 3 }));
    let told = 0;
    layout.onChange(() => told++);
    layout.update(record({ version: 3, historyShardCount: 8 }));
    layout.update(record({ version: 2, historyShardCount: 8 }));
    expect(layout.baseShardCount).toBe(4);
    layout.update(record({ version: 4, historyShardCount: 8 }));
    expect([layout.baseShardCount, told]).toEqual([8, 1]);
    expect(layout.liveShards()).toHaveLength(8);
  });
});

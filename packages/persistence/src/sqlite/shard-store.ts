import { ShardRecord } from '@tempora/proto/persistence';
import type { ShardStore } from '../contract.js';
import { ShardOwnershipLostError } from '../errors.js';
import { immediateTransaction, type SqliteDatabase } from './database.js';

/**
 * Returns a check, to be called inside a write transaction, that the shard's stored range_id is still the
 * writer's; every shard-scoped conditional write starts with it.
 */
export function prepareShardRangeCheck(db: SqliteDatabase): (shardId: number, expectedRangeId: number) => void {
  const selectRangeId = db.prepare<[number], { rangeId: number }>(
    'SELECT range_id AS rangeId FROM shards WHERE shard_id = ?',
  );
  return (shardId, expectedRangeId) => {
    const actualRangeId = selectRangeId.get(shardId)?.rangeId;
    if (actualRangeId !== expectedRangeId) throw new ShardOwnershipLostError(shardId, expectedRangeId, actualRangeId);
  };
}

export function createShardStore(db: SqliteDatabase): ShardStore {
  const selectRecord = db.prepare<[number], { record: Uint8Array }>('SELECT record FROM shards WHERE shard_id = ?');
  const upsertRow = db.prepare<{ shardId: number; rangeId: number; record: Uint8Array }>(
    'INSERT OR REPLACE INTO shards (shard_id, range_id, record) VALUES (@shardId, @rangeId, @record)',
  );
  const checkShardRange = prepareShardRangeCheck(db);

  const writeRecord = (record: ShardRecord): void => {
    upsertRow.run({ shardId: record.shardId, rangeId: record.rangeId, record: ShardRecord.encode(record).finish() });
  };

  const getOrCreate = immediateTransaction(db, (shardId: number): ShardRecord => {
    const row = selectRecord.get(shardId);
    if (row) return ShardRecord.decode(row.record);
    const created = ShardRecord.fromPartial({ shardId, rangeId: 0 });
    writeRecord(created);
    return created;
  });

  const update = immediateTransaction(db, (record: ShardRecord, expectedRangeId: number) => {
    checkShardRange(record.shardId, expectedRangeId);
    writeRecord(record);
  });

  return {
    async getOrCreateShard(shardId) {
      return getOrCreate(shardId);
    },
    async updateShard(record, expectedRangeId) {
      update(record, expectedRangeId);
    },
  };
}

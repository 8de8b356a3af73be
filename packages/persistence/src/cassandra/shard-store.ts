// The shard row lives in its shard's executions partition (row_type 0, every other key column empty), so an
// execution write can carry the range_id check in its own LWT batch.
import { ShardRecord } from '@tempora/proto/persistence';
import type { ShardStore } from '../contract.js';
import { ShardOwnershipLostError } from '../errors.js';
import { ShardRowType } from './schema.js';
import { toBuffer, toNumber, type CqlRow, type CqlSession, type Statement } from './session.js';

/** The key columns of the shard row, spelled out for WHERE clauses and INSERTs. */
export const SHARD_ROW_KEY = `shard_id = :shardId AND row_type = ${ShardRowType.Shard} AND namespace_id = ''
  AND workflow_id = '' AND run_id = '' AND fire_time = 0 AND task_id = 0`;

/**
 * The batch member that makes a shard-scoped write conditional on the writer still owning the shard: it
 * rewrites range_id with its own value, IF it is still that value.
 */
export function shardRangeCondition(shardId: number, rangeId: number): Statement {
  return {
    query: `UPDATE executions SET range_id = :rangeId WHERE ${SHARD_ROW_KEY} IF range_id = :rangeId`,
    params: { shardId, rangeId },
  };
}

/** The range_id in a failed conditional batch's rows (undefined when the shard row does not exist). */
export function rangeIdInRows(rows: readonly CqlRow[]): number | undefined {
  const shardRow = rows.find((row) => row['row_type'] === ShardRowType.Shard);
  return shardRow ? toNumber(shardRow['range_id']) : undefined;
}

export function createShardStore(session: CqlSession): ShardStore {
  return {
    async getOrCreateShard(shardId) {
      const created = ShardRecord.fromPartial({ shardId, rangeId: 0 });
      const { applied, rows } = await session.conditional([
        {
          query: `INSERT INTO executions (shard_id, row_type, namespace_id, workflow_id, run_id, fire_time, task_id,
                    range_id, shard)
                  VALUES (:shardId, ${ShardRowType.Shard}, '', '', '', 0, 0, 0, :shard) IF NOT EXISTS`,
          params: { shardId, shard: toBuffer(ShardRecord.encode(created).finish()) },
        },
      ]);
      return applied ? created : ShardRecord.decode(rows[0]['shard'] as Buffer);
    },

    async updateShard(record, expectedRangeId) {
      const { applied, rows } = await session.conditional([
        {
          query: `UPDATE executions SET range_id = :rangeId, shard = :shard WHERE ${SHARD_ROW_KEY}
                  IF range_id = :expectedRangeId`,
          params: {
            shardId: record.shardId,
            rangeId: record.rangeId,
            shard: toBuffer(ShardRecord.encode(record).finish()),
            expectedRangeId,
          },
        },
      ]);
      if (applied) return;
      // A single conditional statement returns only the condition's columns, and none when the row is absent.
      const actualRangeId: unknown = rows[0]?.['range_id'];
      throw new ShardOwnershipLostError(
        record.shardId,
        expectedRangeId,
        actualRangeId === null || actualRangeId === undefined ? undefined : toNumber(actualRangeId),
      );
    },
  };
}

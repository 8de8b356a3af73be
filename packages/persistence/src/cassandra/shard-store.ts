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

/** The range_id a refused single conditional statement returns: only the condition's columns, none for no row. */
function rangeIdOfRefusal(rows: readonly CqlRow[]): number | undefined {
  const actualRangeId: unknown = rows[0]?.['range_id'];
  return actualRangeId === null || actualRangeId === undefined ? undefined : toNumber(actualRangeId);
}

/**
 * Checks, with an LWT of shardRangeCondition alone, that the shard's range_id is still rangeId (else
 * ShardOwnershipLostError), for work that cannot ride in a conditional batch. Returns range_id's write time
 * afterwards (microseconds; the check's own unless another LWT followed it): Paxos orders the LWTs of a partition,
 * so every earlier one was written at or before it and every later one after it.
 */
export async function checkShardRange(session: CqlSession, shardId: number, rangeId: number): Promise<number> {
  const { applied, rows } = await session.conditional([shardRangeCondition(shardId, rangeId)]);
  if (!applied) throw new ShardOwnershipLostError(shardId, rangeId, rangeIdOfRefusal(rows));
  const row = await session.first(`SELECT WRITETIME(range_id) AS written FROM executions WHERE ${SHARD_ROW_KEY}`, {
    shardId,
  });
  return toNumber(row?.['written']);
}

export function createShardStore(session: CqlSession): ShardStore {
  return {
    async getOrCreateShard(shardId) {
      // A plain read first, as upstream does: the row exists on every call but a shard's first, and an LWT costs
      // a Paxos round where the read costs none (the shard controller checks its shards' owners every second this
      // way). A read that misses an LWT still in flight is harmless: whoever acts on the record writes conditionally.
      const existing = await session.first(`SELECT shard FROM executions WHERE ${SHARD_ROW_KEY}`, { shardId });
      if (existing) return ShardRecord.decode(existing['shard'] as Buffer);
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
      if (!applied) throw new ShardOwnershipLostError(record.shardId, expectedRangeId, rangeIdOfRefusal(rows));
    },
  };
}

// One partition per task-queue partition: the lease row (row_type 0) and the tasks (row_type 1, by task_id).
// Task writes are LWT batches conditioned on the lease row's range_id, so a matching host that lost the lease
// cannot add tasks. Tasks with an expiry time get a TTL and vanish on their own.
import type { TaskQueueKey, TaskQueueRecord, TaskQueueStore, TaskQueueTask } from '../contract.js';
import { TaskQueueLeaseLostError } from '../errors.js';
import { TaskQueueRowType } from './schema.js';
import { toBuffer, toBytes, toNumber, type CqlRow, type CqlSession, type Statement } from './session.js';

const PARTITION = 'namespace_id = :namespaceId AND name = :name AND task_type = :taskType';
const QUEUE_ROW = `${PARTITION} AND row_type = ${TaskQueueRowType.Queue} AND task_id = 0`;
const TASK_ROWS = `${PARTITION} AND row_type = ${TaskQueueRowType.Task}`;

function describeKey(key: TaskQueueKey): string {
  return `task queue ${key.namespaceId}/${key.name}/${key.taskType}`;
}

function toRecord(key: TaskQueueKey, row: CqlRow): TaskQueueRecord {
  return {
    key,
    rangeId: toNumber(row['range_id']),
    ackLevel: toNumber(row['ack_level']),
    expiryTime: toNumber(row['expiry_time']),
    data: toBytes(row['data']),
  };
}

/** Seconds until expiryTime (at least 1), or 0 (no TTL) for a task that never expires. */
function ttlSeconds(expiryTime: number, now: number): number {
  return expiryTime > 0 ? Math.max(1, Math.ceil((expiryTime - now) / 1000)) : 0;
}

function leaseLost(key: TaskQueueKey, expectedRangeId: number, rows: readonly CqlRow[]): TaskQueueLeaseLostError {
  const actual: unknown = rows.find((row) => row['range_id'] !== null && row['range_id'] !== undefined)?.['range_id'];
  return new TaskQueueLeaseLostError(
    `${describeKey(key)}: expected range_id ${expectedRangeId}, found ${actual === undefined ? 'none' : toNumber(actual)}`,
  );
}

/** The batch member that makes a write conditional on the writer still holding the lease. */
function leaseCondition(key: TaskQueueKey, rangeId: number): Statement {
  return {
    query: `UPDATE task_queues SET range_id = :rangeId WHERE ${QUEUE_ROW} IF range_id = :rangeId`,
    params: { ...key, rangeId },
  };
}

export function createTaskQueueStore(session: CqlSession): TaskQueueStore {
  return {
    async getOrCreateTaskQueue(key) {
      const created: TaskQueueRecord = { key, rangeId: 0, ackLevel: 0, expiryTime: 0, data: new Uint8Array() };
      const { applied, rows } = await session.conditional([
        {
          query: `INSERT INTO task_queues (namespace_id, name, task_type, row_type, task_id, range_id, ack_level,
                    expiry_time, data)
                  VALUES (:namespaceId, :name, :taskType, ${TaskQueueRowType.Queue}, 0, 0, 0, 0, :data) IF NOT EXISTS`,
          params: { ...key, data: Buffer.alloc(0) },
        },
      ]);
      return applied ? created : toRecord(key, rows[0]);
    },

    async updateTaskQueue(record, expectedRangeId) {
      const { key } = record;
      const { applied, rows } = await session.conditional([
        {
          query: `UPDATE task_queues SET range_id = :rangeId, ack_level = :ackLevel, expiry_time = :expiryTime,
                    data = :data
                  WHERE ${QUEUE_ROW} IF range_id = :expectedRangeId`,
          params: { ...key, ...record, data: toBuffer(record.data), expectedRangeId },
        },
      ]);
      if (!applied) throw leaseLost(key, expectedRangeId, rows);
    },

    async createTasks(key, rangeId, tasks) {
      const now = Date.now();
      // The TTL is a bound value, so every insert is one prepared statement (a TTL in the query text made a new
      // statement, prepared on a round trip of its own, for almost every expiring task).
      const inserts = tasks.map((task): Statement => ({
        query: `INSERT INTO task_queues (namespace_id, name, task_type, row_type, task_id, expiry_time, data)
                  VALUES (:namespaceId, :name, :taskType, ${TaskQueueRowType.Task}, :taskId, :expiryTime, :data)
                  USING TTL :ttl`,
        params: { ...key, ...task, data: toBuffer(task.data), ttl: ttlSeconds(task.expiryTime, now) },
      }));
      const { applied, rows } = await session.conditional([leaseCondition(key, rangeId), ...inserts]);
      if (!applied) throw leaseLost(key, rangeId, rows);
    },

    async getTasks(key, exclusiveMinTaskId, inclusiveMaxTaskId, pageSize) {
      const rows = await session.rows(
        `SELECT task_id, expiry_time, data FROM task_queues
         WHERE ${TASK_ROWS} AND task_id > :afterTaskId AND task_id <= :maxTaskId LIMIT :rowLimit`,
        { ...key, afterTaskId: exclusiveMinTaskId, maxTaskId: inclusiveMaxTaskId, rowLimit: pageSize },
      );
      return rows.map((row): TaskQueueTask => ({
        taskId: toNumber(row['task_id']),
        expiryTime: toNumber(row['expiry_time']),
        data: toBytes(row['data']),
      }));
    },

    async completeTasks(key, inclusiveMaxTaskId) {
      await session.execute(`DELETE FROM task_queues WHERE ${TASK_ROWS} AND task_id <= :maxTaskId`, {
        ...key,
        maxTaskId: inclusiveMaxTaskId,
      });
    },

    async deleteTaskQueue(key, expectedRangeId) {
      const { applied, rows } = await session.conditional([
        {
          query: `DELETE FROM task_queues WHERE ${QUEUE_ROW} IF range_id = :expectedRangeId`,
          params: { ...key, expectedRangeId },
        },
        { query: `DELETE FROM task_queues WHERE ${TASK_ROWS}`, params: { ...key } },
      ]);
      if (!applied) throw leaseLost(key, expectedRangeId, rows);
    },
  };
}

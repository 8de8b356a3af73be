// The shard outbox. Tasks are written only by execution writes (inside their transaction) and read and completed
// by the shard's queue processors.
import {
  isScheduledRequest,
  storedFireTime,
  type CompleteHistoryTasksRequest,
  type GetHistoryTasksRequest,
  type HistoryTask,
  type HistoryTaskKey,
  type Page,
} from '../contract.js';
import { BOUND_LIMIT, type SqliteDatabase } from './database.js';
import { decodePageToken, fetchLimit, toPage } from '../paging.js';

const TASK_COLUMNS = `category, task_id AS taskId, fire_time AS fireTime, namespace_id AS namespaceId,
  workflow_id AS workflowId, run_id AS runId, data`;

export interface HistoryTaskQueries {
  /** Must run inside the execution write's transaction. */
  insertTasks(shardId: number, tasks: readonly HistoryTask[]): void;
  getHistoryTasks(request: GetHistoryTasksRequest): Page<HistoryTask>;
  completeHistoryTasks(request: CompleteHistoryTasksRequest): void;
  /** Must run inside a transaction that checked the shard's range id. */
  deleteTasks(shardId: number, keys: readonly HistoryTaskKey[]): void;
  /** Every task of the shard; must run inside a transaction that checked the shard's range id. */
  deleteAllTasks(shardId: number): void;
}

export function prepareHistoryTaskQueries(db: SqliteDatabase): HistoryTaskQueries {
  const insertTask = db.prepare<HistoryTask & { shardId: number }>(`
    INSERT OR REPLACE INTO history_tasks
      (shard_id, category, fire_time, task_id, namespace_id, workflow_id, run_id, data)
    VALUES (@shardId, @category, @fireTime, @taskId, @namespaceId, @workflowId, @runId, @data)`);
  const selectImmediate = db.prepare<
    { shardId: number; category: string; afterTaskId: number; maxTaskId: number; limit: number },
    HistoryTask
  >(`
    SELECT ${TASK_COLUMNS} FROM history_tasks
    WHERE shard_id = @shardId AND category = @category AND fire_time = 0
      AND task_id > @afterTaskId AND task_id <= @maxTaskId
    ORDER BY task_id ${BOUND_LIMIT}`);
  const selectTimers = db.prepare<
    {
      shardId: number;
      category: string;
      afterFireTime: number;
      afterTaskId: number;
      maxFireTime: number;
      limit: number;
    },
    HistoryTask
  >(`
    SELECT ${TASK_COLUMNS} FROM history_tasks
    WHERE shard_id = @shardId AND category = @category
      AND (fire_time, task_id) > (@afterFireTime, @afterTaskId) AND fire_time < @maxFireTime
    ORDER BY fire_time, task_id ${BOUND_LIMIT}`);
  const deleteImmediate = db.prepare<[number, string, number]>(
    'DELETE FROM history_tasks WHERE shard_id = ? AND category = ? AND fire_time = 0 AND task_id <= ?',
  );
  const deleteTimers = db.prepare<[number, string, number, number]>(
    'DELETE FROM history_tasks WHERE shard_id = ? AND category = ? AND (fire_time, task_id) <= (?, ?)',
  );
  const deleteTask = db.prepare<[number, string, number, number]>(
    'DELETE FROM history_tasks WHERE shard_id = ? AND category = ? AND fire_time = ? AND task_id = ?',
  );
  const deleteShardTasks = db.prepare<[number]>('DELETE FROM history_tasks WHERE shard_id = ?');

  return {
    insertTasks(shardId, tasks) {
      for (const task of tasks) insertTask.run({ ...task, shardId, fireTime: storedFireTime(task) });
    },

    getHistoryTasks(request) {
      const limit = fetchLimit(request.pageSize);
      if (isScheduledRequest(request)) {
        const [afterFireTime, afterTaskId] = decodePageToken<[number, number]>(request.pageToken, 2) ?? [
          request.minFireTime,
          request.exclusiveMinTaskId,
        ];
        const rows = selectTimers.all({
          shardId: request.shardId,
          category: request.category,
          afterFireTime,
          afterTaskId,
          maxFireTime: request.maxFireTime,
          limit,
        });
        return toPage(rows, request.pageSize, (task) => [task.fireTime, task.taskId]);
      }
      const [afterTaskId] = decodePageToken<[number]>(request.pageToken, 1) ?? [request.exclusiveMinTaskId];
      const rows = selectImmediate.all({
        shardId: request.shardId,
        category: request.category,
        afterTaskId,
        maxTaskId: request.inclusiveMaxTaskId,
        limit,
      });
      return toPage(rows, request.pageSize, (task) => [task.taskId]);
    },

    completeHistoryTasks(request) {
      if (isScheduledRequest(request)) {
        deleteTimers.run(request.shardId, request.category, request.inclusiveMaxFireTime, request.inclusiveMaxTaskId);
      } else {
        deleteImmediate.run(request.shardId, request.category, request.inclusiveMaxTaskId);
      }
    },

    deleteTasks(shardId, keys) {
      for (const key of keys) deleteTask.run(shardId, key.category, storedFireTime(key), key.taskId);
    },

    deleteAllTasks(shardId) {
      deleteShardTasks.run(shardId);
    },
  };
}

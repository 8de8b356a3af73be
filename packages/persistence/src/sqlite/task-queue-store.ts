import type { TaskQueueKey, TaskQueueRecord, TaskQueueStore, TaskQueueTask } from '../contract.js';
import { TaskQueueLeaseLostError } from '../errors.js';
import { BOUND_LIMIT, immediateTransaction, type SqliteDatabase } from './database.js';

type TaskQueueColumns = Omit<TaskQueueRecord, 'key'>;

const KEY_MATCH = 'namespace_id = @namespaceId AND name = @name AND task_type = @taskType';

function describeKey(key: TaskQueueKey): string {
  return `task queue ${key.namespaceId}/${key.name}/${key.taskType}`;
}

export function createTaskQueueStore(db: SqliteDatabase): TaskQueueStore {
  const selectQueue = db.prepare<TaskQueueKey, TaskQueueColumns>(
    `SELECT range_id AS rangeId, ack_level AS ackLevel, expiry_time AS expiryTime, data
     FROM task_queues WHERE ${KEY_MATCH}`,
  );
  const upsertQueue = db.prepare<TaskQueueKey & TaskQueueColumns>(`
    INSERT OR REPLACE INTO task_queues (namespace_id, name, task_type, range_id, ack_level, expiry_time, data)
    VALUES (@namespaceId, @name, @taskType, @rangeId, @ackLevel, @expiryTime, @data)`);
  const deleteQueue = db.prepare<TaskQueueKey>(`DELETE FROM task_queues WHERE ${KEY_MATCH}`);

  const insertTask = db.prepare<TaskQueueKey & TaskQueueTask>(`
    INSERT OR REPLACE INTO task_queue_tasks (namespace_id, name, task_type, task_id, expiry_time, data)
    VALUES (@namespaceId, @name, @taskType, @taskId, @expiryTime, @data)`);
  const selectTasks = db.prepare<
    TaskQueueKey & { afterTaskId: number; maxTaskId: number; limit: number },
    TaskQueueTask
  >(`
    SELECT task_id AS taskId, expiry_time AS expiryTime, data FROM task_queue_tasks
    WHERE ${KEY_MATCH} AND task_id > @afterTaskId AND task_id <= @maxTaskId
    ORDER BY task_id ${BOUND_LIMIT}`);
  const deleteTasksUpTo = db.prepare<TaskQueueKey & { maxTaskId: number }>(
    `DELETE FROM task_queue_tasks WHERE ${KEY_MATCH} AND task_id <= @maxTaskId`,
  );
  const deleteAllTasks = db.prepare<TaskQueueKey>(`DELETE FROM task_queue_tasks WHERE ${KEY_MATCH}`);

  const writeQueue = ({ key, ...columns }: TaskQueueRecord): void => {
    upsertQueue.run({ ...key, ...columns });
  };

  /** Call inside a write transaction: the partition's range_id must still be the writer's lease. */
  const checkLease = (key: TaskQueueKey, expectedRangeId: number): void => {
    const actualRangeId = selectQueue.get(key)?.rangeId;
    if (actualRangeId !== expectedRangeId) {
      throw new TaskQueueLeaseLostError(
        `${describeKey(key)}: expected range_id ${expectedRangeId}, found ${actualRangeId ?? 'none'}`,
      );
    }
  };

  const getOrCreate = immediateTransaction(db, (key: TaskQueueKey): TaskQueueRecord => {
    const stored = selectQueue.get(key);
    if (stored) return { key, ...stored };
    const created: TaskQueueRecord = { key, rangeId: 0, ackLevel: 0, expiryTime: 0, data: new Uint8Array() };
    writeQueue(created);
    return created;
  });

  const update = immediateTransaction(db, (record: TaskQueueRecord, expectedRangeId: number) => {
    checkLease(record.key, expectedRangeId);
    writeQueue(record);
  });

  const create = immediateTransaction(db, (key: TaskQueueKey, rangeId: number, tasks: TaskQueueTask[]) => {
    checkLease(key, rangeId);
    for (const task of tasks) insertTask.run({ ...key, ...task });
  });

  const remove = immediateTransaction(db, (key: TaskQueueKey, expectedRangeId: number) => {
    checkLease(key, expectedRangeId);
    deleteAllTasks.run(key);
    deleteQueue.run(key);
  });

  return {
    async getOrCreateTaskQueue(key) {
      return getOrCreate(key);
    },
    async updateTaskQueue(record, expectedRangeId) {
      update(record, expectedRangeId);
    },
    async createTasks(key, rangeId, tasks) {
      create(key, rangeId, tasks);
    },
    async getTasks(key, exclusiveMinTaskId, inclusiveMaxTaskId, pageSize) {
      return selectTasks.all({
        ...key,
        afterTaskId: exclusiveMinTaskId,
        maxTaskId: inclusiveMaxTaskId,
        limit: pageSize,
      });
    },
    async completeTasks(key, inclusiveMaxTaskId) {
      deleteTasksUpTo.run({ ...key, maxTaskId: inclusiveMaxTaskId });
    },
    async deleteTaskQueue(key, expectedRangeId) {
      remove(key, expectedRangeId);
    },
  };
}

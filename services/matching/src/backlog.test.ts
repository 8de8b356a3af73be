import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createLogger } from '@tempora/common';
import {
  openSqliteStores,
  TaskQueueLeaseLostError,
  type PersistenceStores,
  type TaskQueueKey,
} from '@tempora/persistence';
import { AddWorkflowTaskRequest } from '@tempora/proto/internal';
import { TaskQueueType } from '@tempora/proto/enums';
import { leaseTaskQueue, TaskQueueBacklog } from './backlog.js';
import type { QueuedTask } from './task.js';

const key: TaskQueueKey = { namespaceId: 'ns-1', name: 'orders', taskType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW };
const logger = createLogger('silent');

function task(scheduledEventId: number): QueuedTask<AddWorkflowTaskRequest> {
  const request = AddWorkflowTaskRequest.fromPartial({ namespaceId: key.namespaceId, scheduledEventId });
  return { request, expiresAt: 0 };
}

describe('TaskQueueBacklog', () => {
  let stores: PersistenceStores;
  let backlogs: TaskQueueBacklog<AddWorkflowTaskRequest>[];
  /** Resolvers of the next tasksAvailable event. */
  let onTasksAvailable: (() => void)[];
  let leaseLost: TaskQueueLeaseLostError[];

  beforeEach(() => {
    stores = openSqliteStores();
    backlogs = [];
    onTasksAvailable = [];
    leaseLost = [];
  });

  afterEach(async () => {
    for (const backlog of backlogs) await backlog.close();
    await stores.close();
  });

  async function openBacklog(tasksPerRange?: number): Promise<TaskQueueBacklog<AddWorkflowTaskRequest>> {
    const backlog = new TaskQueueBacklog({
      store: stores.taskQueues,
      lease: await leaseTaskQueue(stores.taskQueues, key),
      codec: AddWorkflowTaskRequest,
      logger,
      tasksPerRange,
      events: {
        tasksAvailable: () => onTasksAvailable.splice(0).forEach((resolve) => resolve()),
        leaseLost: (err) => leaseLost.push(err),
      },
    });
    backlogs.push(backlog);
    return backlog;
  }

  /** Takes `count` tasks, waiting for backlog reads where memory runs dry. */
  async function takeTasks(backlog: TaskQueueBacklog<AddWorkflowTaskRequest>, count: number) {
    const taken: QueuedTask<AddWorkflowTaskRequest>[] = [];
    while (taken.length < count) {
      const available = new Promise<void>((resolve) => onTasksAvailable.push(resolve));
      const next = backlog.take();
      if (next) taken.push(next);
      else await available;
    }
    return taken;
  }

  it('batches concurrent adds into one write and keeps them in memory', async () => {
    const backlog = await openBacklog();
    const initialReadDone = new Promise<void>((resolve) => onTasksAvailable.push(resolve));
    expect(backlog.take()).toBeUndefined();
    await initialReadDone;
    const createTasks = jest.spyOn(stores.taskQueues, 'createTasks');

    await Promise.all([1, 2, 3, 4, 5].map((id) => backlog.add(task(id))));

    expect(createTasks).toHaveBeenCalledTimes(1);
    const inMemory = [1, 2, 3, 4, 5].map(() => backlog.take()?.request.scheduledEventId);
    expect(inMemory).toEqual([1, 2, 3, 4, 5]);
  });

  it('takes a new id range when the current one is used up', async () => {
    const backlog = await openBacklog(4);
    for (let id = 1; id <= 10; id++) await backlog.add(task(id));

    expect((await stores.taskQueues.getOrCreateTaskQueue(key)).rangeId).toBe(3);
    const rows = await stores.taskQueues.getTasks(key, 0, Number.MAX_SAFE_INTEGER, 100);
    expect(rows.map((row) => row.taskId)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });

  it('reads a large backlog back in order, a page at a time', async () => {
    const writer = await openBacklog();
    await Promise.all(Array.from({ length: 2_500 }, (_, i) => writer.add(task(i + 1))));
    await writer.close();

    const reader = await openBacklog();
    const taken = await takeTasks(reader, 2_500);
    expect(taken.map((t) => t.request.scheduledEventId)).toEqual(Array.from({ length: 2_500 }, (_, i) => i + 1));
  });

  it('persists the ack level below the first unacknowledged task, and deletes acknowledged tasks', async () => {
    const backlog = await openBacklog();
    for (let id = 1; id <= 4; id++) await backlog.add(task(id));
    const [first, second, third] = await takeTasks(backlog, 3);
    backlog.ack(first!);
    backlog.ack(third!);
    await backlog.close();

    expect((await stores.taskQueues.getOrCreateTaskQueue(key)).ackLevel).toBe(first!.taskId);
    const rows = await stores.taskQueues.getTasks(key, 0, Number.MAX_SAFE_INTEGER, 100);
    expect(rows.map((row) => row.taskId)).toEqual([second!.taskId, third!.taskId, third!.taskId! + 1]);
  });

  it('counts its backlog and reports the read and ack levels and the id block of its lease', async () => {
    const backlog = await openBacklog(4);
    for (let id = 1; id <= 3; id++) await backlog.add(task(id));
    // A fresh lease's ids start at rangeId * tasksPerRange: range 1 gives ids 4..7, nowhere near the count.
    expect(backlog.status()).toMatchObject({ backlogCount: 3, taskIdBlock: { startId: 4, endId: 7 } });

    const [first] = await takeTasks(backlog, 1);
    backlog.ack(first!);
    expect(backlog.status()).toMatchObject({ backlogCount: 2, readLevel: 6, ackLevel: first!.taskId });
  });

  it('reports a lost lease once and refuses further writes', async () => {
    const backlog = await openBacklog();
    await backlog.add(task(1));
    await leaseTaskQueue(stores.taskQueues, key);

    await expect(backlog.add(task(2))).rejects.toBeInstanceOf(TaskQueueLeaseLostError);
    await expect(backlog.add(task(3))).rejects.toBeInstanceOf(TaskQueueLeaseLostError);
    expect(leaseLost).toHaveLength(1);
    expect(backlog.take()).toBeUndefined();
  });
});

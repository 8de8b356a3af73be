import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createLogger } from '@tempora/common';
import { ExecutionState, openSqliteStores, type HistoryTask, type PersistenceStores } from '@tempora/persistence';
import { Shard } from '../shard.js';
import { TransferQueue } from './transfer-queue.js';

const logger = createLogger('silent');

describe('transfer queue', () => {
  let stores: PersistenceStores;
  let queue: TransferQueue | undefined;

  beforeEach(() => {
    stores = openSqliteStores();
  });

  afterEach(async () => {
    queue?.stop();
    await stores.close();
  });

  /** Commits a run whose one transfer task has the given id, the way the execution manager writes it. */
  async function commitTransferTask(shard: Shard, taskId: number): Promise<HistoryTask> {
    const run = { namespaceId: randomUUID(), workflowId: randomUUID(), runId: randomUUID() };
    const task: HistoryTask = { ...run, category: 'transfer', taskId, fireTime: 0, data: new Uint8Array([1]) };
    await stores.executions.createWorkflowExecution({
      shardId: shard.shardId,
      rangeId: shard.rangeId,
      current: { kind: 'brand-new' },
      execution: { ...run, state: new Uint8Array(), nextEventId: 2, dbRecordVersion: 1 },
      currentRow: {
        ...run,
        createRequestId: randomUUID(),
        state: ExecutionState.Running,
        status: 1,
        startTime: 0,
        lastWriteVersion: 0,
      },
      tasks: [task],
    });
    return task;
  }

  it('runs a task held back by an earlier write in flight once that write finishes without tasks of its own', async () => {
    const shard = await Shard.acquire(1, stores, logger, 'test-host');
    const executed: HistoryTask[] = [];
    let onExecuted: () => void = () => {};
    const executedOnce = new Promise<void>((resolve) => (onExecuted = resolve));
    queue = new TransferQueue(
      shard,
      stores,
      async (task) => {
        executed.push(task);
        onExecuted();
      },
      logger,
    );

    // The earlier write holds the lower task id and commits last, with no transfer task (so no notify).
    const earlierWrite = await shard.allocateTaskIds(1);
    const laterWrite = await shard.allocateTaskIds(1);
    const task = await commitTransferTask(shard, laterWrite[0]!);
    shard.releaseTaskIds(laterWrite);
    queue.notify();
    await new Promise((resolve) => setImmediate(resolve));
    expect(executed).toEqual([]);

    shard.releaseTaskIds(earlierWrite);
    await executedOnce;
    expect(executed).toEqual([task]);
  }, 10_000);

  it('reads the store once per notified write, not again after writes of other categories', async () => {
    const shard = await Shard.acquire(1, stores, logger, 'test-host');
    let reads = 0;
    const getHistoryTasks = stores.executions.getHistoryTasks.bind(stores.executions);
    stores.executions.getHistoryTasks = (request) => {
      reads++;
      return getHistoryTasks(request);
    };
    const readsAtExecution: number[] = [];
    const executions = [0, 1].map(() => {
      let resolve: () => void = () => {};
      return { done: new Promise<void>((r) => (resolve = r)), resolve: () => resolve() };
    });
    queue = new TransferQueue(
      shard,
      stores,
      async () => {
        readsAtExecution.push(reads);
        // Another run's write with no transfer task commits meanwhile: the shard's read level moves past the task.
        if (readsAtExecution.length === 1) shard.releaseTaskIds(await shard.allocateTaskIds(1));
        executions[readsAtExecution.length - 1]!.resolve();
      },
      logger,
    );

    for (const execution of executions) {
      const ids = await shard.allocateTaskIds(1);
      await commitTransferTask(shard, ids[0]!);
      shard.releaseTaskIds(ids);
      queue.notify();
      await execution.done;
      await new Promise((resolve) => setImmediate(resolve)); // the queue finishes its page and goes idle
    }
    // Without the notify check, the other write's id made one more (empty) read before the second task's.
    expect(readsAtExecution).toEqual([1, 2]);
  }, 10_000);
});

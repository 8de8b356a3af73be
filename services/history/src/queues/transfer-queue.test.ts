import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createLogger } from '@tempora/common';
import { ExecutionState, openSqliteStores, type HistoryTask, type PersistenceStores } from '@tempora/persistence';
import { Shard } from '../shard.js';
import { collectingExecutor } from '../test-support.js';
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
    queue.record([task]);
    shard.releaseTaskIds(laterWrite);
    queue.notify();
    await new Promise((resolve) => setImmediate(resolve));
    expect(executed).toEqual([]);

    shard.releaseTaskIds(earlierWrite);
    await executedOnce;
    expect(executed).toEqual([task]);
  }, 10_000);

  /** The stores with every transfer-task read counted. */
  function countingReads(): { stores: PersistenceStores; reads: () => number } {
    let reads = 0;
    const executions = Object.create(stores.executions) as PersistenceStores['executions'];
    executions.getHistoryTasks = (request) => {
      if (request.category === 'transfer') reads++;
      return stores.executions.getHistoryTasks(request);
    };
    return { stores: { ...stores, executions }, reads: () => reads };
  }

  /** A transfer queue over a collecting executor (`next(n)`: n tasks in all ran). */
  function collectingQueue(shard: Shard, queueStores: PersistenceStores) {
    const { executed, execute, ran: next } = collectingExecutor();
    const transfer = new TransferQueue(shard, queueStores, execute, logger);
    return { transfer, executed, next };
  }

  async function writeAndRecord(shard: Shard, transfer: TransferQueue, record = true): Promise<HistoryTask> {
    const ids = await shard.allocateTaskIds(1);
    const task = await commitTransferTask(shard, ids[0]!);
    if (record) transfer.record([task]);
    shard.releaseTaskIds(ids);
    transfer.notify();
    return task;
  }

  it('runs the tasks its host committed without reading the store once caught up', async () => {
    const shard = await Shard.acquire(1, stores, logger, 'test-host');
    const counting = countingReads();
    const { transfer, executed, next } = collectingQueue(shard, counting.stores);
    queue = transfer;
    const first = await writeAndRecord(shard, transfer);
    await next(1);
    const readsAfterCatchUp = counting.reads();
    expect(readsAfterCatchUp).toBeGreaterThanOrEqual(1);

    const later = [await writeAndRecord(shard, transfer), await writeAndRecord(shard, transfer)];
    await next(3);
    expect(executed).toEqual([first, ...later]);
    expect(counting.reads()).toBe(readsAfterCatchUp);
  }, 10_000);

  it('reads the store again after a write of unknown outcome, so a task written but not recorded still runs', async () => {
    const shard = await Shard.acquire(1, stores, logger, 'test-host');
    const { transfer, executed, next } = collectingQueue(shard, stores);
    queue = transfer;
    await writeAndRecord(shard, transfer);
    await next(1);

    // The write applied, but its caller saw a failure (a timeout): nothing was recorded.
    transfer.readStoreAgain();
    const unrecorded = await writeAndRecord(shard, transfer, false);
    await next(2);
    expect(executed[1]).toEqual(unrecorded);
  }, 10_000);

  it('deletes acked tasks in the background, and a restart before that runs them again', async () => {
    const shard = await Shard.acquire(1, stores, logger, 'test-host');
    const pending = async () =>
      (
        await stores.executions.getHistoryTasks({
          shardId: 1,
          category: 'transfer',
          exclusiveMinTaskId: 0,
          inclusiveMaxTaskId: Number.MAX_SAFE_INTEGER,
          pageSize: 10,
        })
      ).items;
    const crashed = collectingQueue(shard, stores);
    queue = crashed.transfer;
    const task = await writeAndRecord(shard, crashed.transfer);
    await crashed.next(1);
    expect(await pending()).toEqual([task]);
    crashed.transfer.stop();

    // The next owner (here: a new queue of a re-acquired shard) finds the acked but undeleted task and runs it.
    const reacquired = await Shard.acquire(1, stores, logger, 'next-host');
    const restarted = collectingQueue(reacquired, stores);
    queue = restarted.transfer;
    restarted.transfer.notify();
    await restarted.next(1);
    expect(restarted.executed).toEqual([task]);
    const deadline = Date.now() + 5_000;
    while ((await pending()).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await pending()).toEqual([]);
  }, 10_000);
});

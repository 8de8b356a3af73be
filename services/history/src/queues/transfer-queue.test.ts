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
});

// Runs a shard's transfer tasks (dispatches to matching, calls to other runs), a page at a time in parallel; tasks
// before the first failed one are acked and the rest retried after a second.
import type { Logger } from '@tempora/common';
import type { HistoryTask, PersistenceStores } from '@tempora/persistence';
import type { Shard } from '../shard.js';
import { ImmediateQueue } from './immediate-queue.js';

const PAGE_SIZE = 200;
const RETRY_DELAY_MS = 1_000;

export class TransferQueue extends ImmediateQueue {
  constructor(shard: Shard, stores: PersistenceStores, execute: (task: HistoryTask) => Promise<void>, logger: Logger) {
    super(
      shard,
      stores,
      {
        category: 'transfer',
        pageSize: PAGE_SIZE,
        minRetryDelayMs: RETRY_DELAY_MS,
        maxRetryDelayMs: RETRY_DELAY_MS,
        handlePage: async (tasks) => {
          const results = await Promise.allSettled(tasks.map(execute));
          const failed = results.findIndex((r) => r.status === 'rejected');
          if (failed < 0) return { done: tasks.length };
          return { done: failed, error: (results[failed] as PromiseRejectedResult).reason };
        },
      },
      logger,
    );
  }
}

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { openSqliteStores, type PersistenceStores } from '@tempora/persistence';
import { History, HistoryEvent } from '@tempora/proto/history';
import { readEvents } from './history-reader.js';

const SHARD = 1;
const RUN = 'run-1';

/** Stored batches as [first event id, last event id, txn id]. */
async function append(stores: PersistenceStores, batches: [number, number, number][]): Promise<void> {
  for (const [first, last, txnId] of batches) {
    const events = [];
    for (let id = first; id <= last; id++) events.push(HistoryEvent.fromPartial({ eventId: id, taskId: txnId }));
    await stores.history.appendHistoryNode(SHARD, RUN, {
      nodeId: first,
      txnId,
      events: History.encode({ events }).finish(),
    });
  }
}

describe('readEvents', () => {
  let stores: PersistenceStores;
  /** How many batches the reads returned, forward and reverse. */
  let batchesRead: number;

  beforeEach(() => {
    const opened = openSqliteStores();
    const history = opened.history;
    batchesRead = 0;
    const counted =
      <A extends unknown[]>(read: (...args: A) => ReturnType<typeof history.readHistoryBranch>) =>
      async (...args: A) => {
        const page = await read(...args);
        batchesRead += page.items.length;
        return page;
      };
    stores = {
      ...opened,
      history: {
        ...history,
        readHistoryBranch: counted((r) => history.readHistoryBranch(r)),
        readHistoryBranchReverse: counted((r) => history.readHistoryBranchReverse(r)),
      },
      close: () => opened.close(),
    };
  });

  afterEach(() => stores.close());

  it('starts at the batch holding the first event, so a run close event costs one batch', async () => {
    await append(stores, [
      [1, 3, 10],
      [4, 6, 20],
      [7, 9, 30],
    ]);
    const ids = async (first: number, end: number) =>
      (await readEvents(stores, SHARD, RUN, first, end)).map((e) => e.eventId);

    expect(await ids(9, 10)).toEqual([9]);
    // One batch found by the reverse read, the same batch read forward.
    expect(batchesRead).toBe(2);
    expect(await ids(5, 8)).toEqual([5, 6, 7]);
    expect(await ids(1, 10)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await ids(4, 4)).toEqual([]);
  });

  it('reads the latest version of a rewritten batch and nothing past the end', async () => {
    // A failed write left [4..7] (txn 20); the next write rewrote node 4 as [4..5] (txn 25) and appended [6..6].
    await append(stores, [
      [1, 3, 10],
      [4, 7, 20],
      [4, 5, 25],
      [6, 6, 30],
      [7, 8, 40],
    ]);
    const events = await readEvents(stores, SHARD, RUN, 5, 7);
    expect(events.map((e) => [e.eventId, e.taskId])).toEqual([
      [5, 25],
      [6, 30],
    ]);
  });
});

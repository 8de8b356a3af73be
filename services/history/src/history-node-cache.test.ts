// The cache of recent history batches in front of a real store: reads it can answer whole come from memory and equal
// the store's answer; anything else goes to the store.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  ConcurrentUpdateError,
  ExecutionState,
  openSqliteStores,
  type HistoryStore,
  type PersistenceStores,
} from '@tempora/persistence';
import { HistoryNodeCache } from './history-node-cache.js';

describe('history node cache', () => {
  let stores: PersistenceStores;
  let storeReads: number;
  let counted: HistoryStore;

  beforeEach(() => {
    stores = openSqliteStores();
    storeReads = 0;
    counted = Object.create(stores.history) as HistoryStore;
    counted.readHistoryBranch = (request) => {
      storeReads++;
      return stores.history.readHistoryBranch(request);
    };
    counted.readHistoryBranchReverse = (request) => {
      storeReads++;
      return stores.history.readHistoryBranchReverse(request);
    };
  });

  afterEach(async () => {
    await stores.close();
  });

  const node = (nodeId: number, txnId: number, size = 4) => ({
    nodeId,
    txnId,
    events: new Uint8Array(size).fill(nodeId),
  });
  const range = (branchToken: string, minNodeId: number, pageSize = 100, shardId = 1) => ({
    shardId,
    branchToken,
    minNodeId,
    maxNodeId: 1_000,
    pageSize,
  });

  it('answers reads of what this host appended from memory, as the store would', async () => {
    const history = new HistoryNodeCache().wrap(counted);
    const branch = randomUUID();
    for (const n of [node(1, 10), node(4, 11), node(6, 12)]) await history.appendHistoryNode(1, branch, n);
    // A retried transaction rewrites node 6 with a higher txn id; a stale lower one never wins.
    await history.appendHistoryNode(1, branch, node(6, 14, 8));
    await history.appendHistoryNode(1, branch, node(6, 13, 2));

    const cached = await history.readHistoryBranch(range(branch, 4));
    expect(storeReads).toBe(0);
    expect(cached).toEqual(await stores.history.readHistoryBranch(range(branch, 4)));
    expect(cached.items.map((n) => [n.nodeId, n.txnId])).toEqual([
      [4, 11],
      [6, 14],
    ]);
  });

  it('reads the store for what it may not hold whole', async () => {
    const cache = new HistoryNodeCache();
    const history = cache.wrap(counted);
    const older = randomUUID();
    await stores.history.appendHistoryNode(1, older, node(1, 1));
    await history.appendHistoryNode(1, older, node(3, 2));
    // Nodes before the first one this host appended.
    expect((await history.readHistoryBranch(range(older, 1))).items).toHaveLength(2);
    expect(storeReads).toBe(1);
    // More than a page.
    await history.appendHistoryNode(1, older, node(5, 3));
    const firstPage = await history.readHistoryBranch(range(older, 3, 1));
    expect(firstPage.items.map((n) => n.nodeId)).toEqual([3]);
    expect(firstPage.nextPageToken?.length).toBeGreaterThan(0);
    expect(storeReads).toBe(2);
    // A shard this host acquired again: another host may have appended meanwhile.
    cache.dropShard(1);
    await history.readHistoryBranch(range(older, 3));
    expect(storeReads).toBe(3);
  });

  it('answers a reverse read it holds whole from memory, with the page token the store gives', async () => {
    const cache = new HistoryNodeCache();
    const history = cache.wrap(counted);
    const branch = randomUUID();
    for (const n of [node(1, 10), node(4, 11), node(6, 12), node(9, 13)]) await history.appendHistoryNode(1, branch, n);
    // The batch holding event 7 (a closed run's last event, say), and the next page after it from the store.
    const holder = { shardId: 1, branchToken: branch, minNodeId: 1, maxNodeId: 8, pageSize: 1 };
    const cached = await history.readHistoryBranchReverse(holder);
    expect(storeReads).toBe(0);
    expect(cached).toEqual(await stores.history.readHistoryBranchReverse(holder));
    expect(cached.items).toEqual([node(6, 12)]);
    const next = await history.readHistoryBranchReverse({ ...holder, pageToken: cached.nextPageToken });
    expect(next.items).toEqual([node(4, 11)]);
    expect(storeReads).toBe(1);
    // A whole range without a token.
    const all = await history.readHistoryBranchReverse({ ...holder, maxNodeId: 100, pageSize: 10 });
    expect(all).toEqual({ items: [node(9, 13), node(6, 12), node(4, 11), node(1, 10)], nextPageToken: undefined });
    expect(storeReads).toBe(1);

    // Batches before the first one this host appended: only a page it holds more than whole is answered.
    const older = randomUUID();
    await stores.history.appendHistoryNode(1, older, node(1, 1));
    await history.appendHistoryNode(1, older, node(3, 2));
    expect((await history.readHistoryBranchReverse({ ...holder, branchToken: older, maxNodeId: 100 })).items).toEqual([
      node(3, 2),
    ]);
    expect(storeReads).toBe(2);
  });

  it('forgets a deleted branch and evicts the least recently used branches past its byte bound', async () => {
    const history = new HistoryNodeCache(100).wrap(counted);
    const [a, b] = [randomUUID(), randomUUID()];
    await history.appendHistoryNode(1, a, node(1, 1, 60));
    await history.appendHistoryNode(1, b, node(1, 1, 60));
    await history.readHistoryBranch(range(b, 1));
    expect(storeReads).toBe(0);
    expect((await history.readHistoryBranch(range(a, 1))).items).toHaveLength(1);
    expect(storeReads).toBe(1);

    await history.deleteHistoryBranch(1, b);
    expect((await history.readHistoryBranch(range(b, 1))).items).toEqual([]);
    expect(storeReads).toBe(2);
  });

  it('holds the history an execution write carried once the write succeeded, and not that of a refused one', async () => {
    const cache = new HistoryNodeCache();
    const history = cache.wrap(counted);
    const executions = cache.wrapExecutions(stores.executions);
    const shard = await stores.shards.getOrCreateShard(7);
    const execution = (runId: string, dbRecordVersion: number) => ({
      namespaceId: 'ns',
      workflowId: `wf-${runId}`,
      runId,
      state: new Uint8Array([dbRecordVersion]),
      nextEventId: 3,
      dbRecordVersion,
    });
    const create = (runId: string, nodes: ReturnType<typeof node>[]) => ({
      kind: 'create' as const,
      request: {
        shardId: 7,
        rangeId: shard.rangeId,
        current: { kind: 'brand-new' as const },
        execution: execution(runId, 1),
        currentRow: {
          ...execution(runId, 1),
          createRequestId: runId,
          state: ExecutionState.Running,
          status: 1,
          startTime: 0,
          lastWriteVersion: 0,
        },
        tasks: [],
        history: nodes.map((n) => ({ branchToken: runId, node: n })),
      },
    });
    const [alone, grouped, refused] = [randomUUID(), randomUUID(), randomUUID()];
    await executions.createWorkflowExecution(create(alone, [node(1, 10)]).request);
    await executions.updateWorkflowExecution({
      shardId: 7,
      rangeId: shard.rangeId,
      execution: execution(alone, 2),
      expectedDbRecordVersion: 1,
      tasks: [],
      history: [{ branchToken: alone, node: node(3, 11) }],
    });
    const outcomes = await executions.writeWorkflowExecutions([
      create(grouped, [node(1, 12)]),
      { kind: 'update', request: { ...create(refused, [node(5, 13)]).request, expectedDbRecordVersion: 4 } },
    ]);

    expect(outcomes[0]).toBeUndefined();
    expect(outcomes[1]).toBeInstanceOf(ConcurrentUpdateError);
    expect((await history.readHistoryBranch(range(alone, 1, 100, 7))).items).toEqual([node(1, 10), node(3, 11)]);
    expect((await history.readHistoryBranch(range(grouped, 1, 100, 7))).items).toEqual([node(1, 12)]);
    expect(storeReads).toBe(0);
    expect((await history.readHistoryBranch(range(refused, 1, 100, 7))).items).toEqual([]);
    expect(storeReads).toBe(1);
  });
});

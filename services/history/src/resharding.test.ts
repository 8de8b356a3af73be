// Shard splits on a real SQLite store: every row of an execution (run, current row, history branch, tasks of each
// category) ends up on the shard hash mod the new count names and nowhere else, and a split interrupted before
// its commit or between its commit and cluster metadata ends in that same state when run (or finished) again.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { createLogger } from '@tempora/common';
import { ShardLayout, shardIdFor } from '@tempora/membership';
import {
  ExecutionState,
  openSqliteStores,
  type HistoryTask,
  type HistoryTaskCategory,
  type PersistenceStores,
} from '@tempora/persistence';
import { ClusterMetadataRecord } from '@tempora/proto/persistence';
import { HistoryMetrics } from './engine-metrics.js';
import {
  deleteMovedExecutions,
  prepareSplit,
  resumeCommittedSplit,
  splitShard,
  type ReshardDeps,
} from './resharding.js';
import { Shard } from './shard.js';

const logger = createLogger('silent');
const NS = 'ns-id';
const WORKFLOWS = Array.from({ length: 40 }, (_, i) => `wf-${i}`);
const CATEGORIES: HistoryTaskCategory[] = ['transfer', 'timer', 'visibility', 'retention'];
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

let stores: PersistenceStores;
let layout: ShardLayout;

/** Two runs per workflow id (the current one and an older one), history and a task of each category for both. */
async function populate(shardCount: number): Promise<void> {
  await stores.clusterMetadata.initializeClusterMetadata(
    ClusterMetadataRecord.fromPartial({ clusterName: 'c', historyShardCount: shardCount }),
  );
  const shards = new Map<number, Shard>();
  for (let id = 1; id <= shardCount; id++) shards.set(id, await Shard.acquire(id, stores, logger, 'writer'));
  for (const workflowId of WORKFLOWS) {
    const shard = shards.get(shardIdFor(NS, workflowId, shardCount))!;
    for (const run of ['old', 'new']) {
      const runId = `${workflowId}-${run}`;
      const ids = await shard.allocateTaskIds(CATEGORIES.length);
      const tasks: HistoryTask[] = CATEGORIES.map((category, i) => ({
        category,
        taskId: ids[i]!,
        fireTime: category === 'timer' || category === 'retention' ? 1_000_000 + i : 0,
        namespaceId: NS,
        workflowId,
        runId,
        data: bytes(`${runId}/${category}`),
      }));
      const currentRow = {
        namespaceId: NS,
        workflowId,
        runId,
        createRequestId: runId,
        state: ExecutionState.Running,
        status: 1,
        startTime: 1,
        lastWriteVersion: 0,
      };
      const execution = {
        namespaceId: NS,
        workflowId,
        runId,
        state: bytes(`state of ${runId}`),
        nextEventId: 3,
        dbRecordVersion: 1,
      };
      await stores.executions.createWorkflowExecution({
        shardId: shard.shardId,
        rangeId: shard.rangeId,
        current:
          run === 'old' ? { kind: 'brand-new' } : { kind: 'replace-current', previousRunId: `${workflowId}-old` },
        execution,
        currentRow,
        tasks,
      });
      shard.releaseTaskIds(ids);
      for (const nodeId of [1, 2])
        await stores.history.appendHistoryNode(shard.shardId, runId, {
          nodeId,
          txnId: nodeId,
          events: bytes(`${runId} node ${nodeId}`),
        });
    }
  }
  for (const shard of shards.values()) shard.close(false);
}

async function startReshard(to: number): Promise<void> {
  const stored = (await stores.clusterMetadata.getClusterMetadata())!;
  const next = ClusterMetadataRecord.fromPartial({
    ...stored,
    version: stored.version + 1,
    reshard: { fromShardCount: stored.historyShardCount, toShardCount: to, splitShards: [], startedTime: new Date() },
  });
  await stores.clusterMetadata.updateClusterMetadata(next, stored.version);
  layout = new ShardLayout(next);
}

const deps = (over: Partial<ReshardDeps> = {}): ReshardDeps => ({
  stores,
  layout,
  identity: 'splitter',
  logger,
  metrics: new HistoryMetrics(),
  ...over,
});

/** Everything each shard holds, as comparable strings. */
async function contents(shardCount: number): Promise<Map<number, string[]>> {
  const byShard = new Map<number, string[]>();
  for (let shardId = 1; shardId <= shardCount; shardId++) {
    const rows: string[] = [];
    for (const workflowId of WORKFLOWS) {
      const current = await stores.executions.getCurrentExecution(shardId, NS, workflowId);
      if (current) rows.push(`current ${workflowId} -> ${current.runId}`);
      for (const run of ['old', 'new']) {
        const runId = `${workflowId}-${run}`;
        const row = await stores.executions.getWorkflowExecution(shardId, NS, workflowId, runId);
        if (row) rows.push(`run ${text(row.state)} v${row.dbRecordVersion}`);
        const page = await stores.history.readHistoryBranch({
          shardId,
          branchToken: runId,
          minNodeId: 1,
          maxNodeId: 100,
          pageSize: 100,
        });
        for (const node of page.items) rows.push(`history ${text(node.events)}`);
      }
    }
    for (const category of CATEGORIES) {
      const page =
        category === 'timer' || category === 'retention'
          ? await stores.executions.getHistoryTasks({
              shardId,
              category,
              minFireTime: 0,
              exclusiveMinTaskId: -1,
              maxFireTime: Number.MAX_SAFE_INTEGER,
              pageSize: 1000,
            })
          : await stores.executions.getHistoryTasks({
              shardId,
              category,
              exclusiveMinTaskId: 0,
              inclusiveMaxTaskId: Number.MAX_SAFE_INTEGER,
              pageSize: 1000,
            });
      for (const task of page.items) rows.push(`task ${text(task.data)} at ${task.fireTime}`);
    }
    byShard.set(shardId, rows.sort());
  }
  return byShard;
}

/** What `contents` must show after a reshard to `shardCount`: each workflow's rows on its shard under that count. */
function expectedContents(shardCount: number): Map<number, string[]> {
  const byShard = new Map<number, string[]>();
  for (let id = 1; id <= shardCount; id++) byShard.set(id, []);
  for (const workflowId of WORKFLOWS) {
    const rows = byShard.get(shardIdFor(NS, workflowId, shardCount))!;
    rows.push(`current ${workflowId} -> ${workflowId}-new`);
    for (const run of ['old', 'new']) {
      const runId = `${workflowId}-${run}`;
      rows.push(`run state of ${runId} v1`, `history ${runId} node 1`, `history ${runId} node 2`);
      CATEGORIES.forEach((category, i) => {
        const fireTime = category === 'timer' || category === 'retention' ? 1_000_000 + i : 0;
        rows.push(`task ${runId}/${category} at ${fireTime}`);
      });
    }
  }
  for (const rows of byShard.values()) rows.sort();
  return byShard;
}

/** What the owning host does: prepare while the shard serves, split, then acquire it again (which finishes). */
async function split(shardId: number, d = deps()): Promise<void> {
  const prepared = await prepareSplit(d, shardId);
  if (prepared) await splitShard(d, prepared);
  await acquireAgain(shardId, d);
}

/** A host acquiring the shard: a committed split is recorded and its moved tasks dropped, then its rows deleted. */
async function acquireAgain(shardId: number, d = deps()): Promise<void> {
  const shard = await Shard.acquire(shardId, stores, logger, 'next-owner');
  if (shard.record.cleanupPending) {
    await resumeCommittedSplit(d, shard);
    await deleteMovedExecutions(d, shard);
  }
  shard.close(false);
}

/** The stores, with `method` of the execution store failing on its `failOn`-th call (once). */
function failingOnce(method: 'importExecutions' | 'deleteHistoryTasks', failOn: number): PersistenceStores {
  let calls = 0;
  const executions = Object.create(stores.executions) as PersistenceStores['executions'];
  const original = stores.executions[method].bind(stores.executions) as (...args: unknown[]) => Promise<void>;
  (executions as unknown as Record<string, unknown>)[method] = (...args: unknown[]) =>
    ++calls === failOn ? Promise.reject(new Error(`injected ${method} failure`)) : original(...args);
  return Object.assign(Object.create(stores) as PersistenceStores, { executions });
}

describe('shard splits', () => {
  beforeEach(async () => {
    stores = openSqliteStores();
    await populate(2);
  });

  it('move every row of each execution to its shard under the new count, and finish the reshard', async () => {
    await startReshard(4);
    await split(1);
    expect(layout.isSplit(1)).toBe(true);
    expect(layout.liveShards()).toEqual([1, 2, 3]);
    await split(2);
    expect(await contents(4)).toEqual(expectedContents(4));
    const metadata = (await stores.clusterMetadata.getClusterMetadata())!;
    expect([metadata.historyShardCount, metadata.reshard]).toEqual([4, undefined]);
    const moved = WORKFLOWS.filter((id) => shardIdFor(NS, id, 4) !== shardIdFor(NS, id, 2)).length * 2;
    expect([metadata.lastReshard?.fromShardCount, metadata.lastReshard?.movedExecutions]).toEqual([2, moved]);
    expect(layout.baseShardCount).toBe(4);
    for (let id = 1; id <= 4; id++) {
      const record = await stores.shards.getOrCreateShard(id);
      expect([record.shardCount, record.cleanupPending]).toEqual([4, false]);
    }
  });

  it('catches up history written between the copy made while serving and the split', async () => {
    await startReshard(4);
    const prepared = (await prepareSplit(deps(), 1))!;
    const moving = WORKFLOWS.find((id) => shardIdFor(NS, id, 2) === 1 && shardIdFor(NS, id, 4) === 3)!;
    const runId = `${moving}-new`;
    // The shard still serves: the last batch is rewritten (a retried write) and a new one appended.
    await stores.history.appendHistoryNode(1, runId, { nodeId: 2, txnId: 9, events: bytes('rewritten') });
    await stores.history.appendHistoryNode(1, runId, { nodeId: 3, txnId: 10, events: bytes('appended') });
    await splitShard(deps(), prepared);
    const page = await stores.history.readHistoryBranch({
      shardId: 3,
      branchToken: runId,
      minNodeId: 1,
      maxNodeId: 100,
      pageSize: 100,
    });
    expect(page.items.map((node) => text(node.events))).toEqual([`${runId} node 1`, 'rewritten', 'appended']);
  });

  it('a split that fails half-way through its copy leaves the shard as it was, and a second run completes it', async () => {
    await startReshard(4);
    const before = await contents(2);
    await expect(split(1, deps({ stores: failingOnce('importExecutions', 1) }))).rejects.toThrow('injected');
    expect(layout.isSplit(1)).toBe(false);
    expect((await stores.clusterMetadata.getClusterMetadata())!.reshard?.splitShards).toEqual([]);
    // The source still holds everything; what reached the target is never served (and is purged by the rerun).
    expect((await contents(2)).get(1)).toEqual(before.get(1));
    await split(1);
    await split(2);
    expect(await contents(4)).toEqual(expectedContents(4));
  });

  it('a split that failed after its commit is finished by the next owner of the shard', async () => {
    await startReshard(4);
    const failing = deps({ stores: failingOnce('deleteHistoryTasks', 1) });
    await expect(splitShard(failing, (await prepareSplit(failing, 1))!)).rejects.toThrow('injected');
    // Committed: the shard row says so, and routing already follows it.
    expect((await stores.shards.getOrCreateShard(1)).cleanupPending).toBe(true);
    expect(layout.isSplit(1)).toBe(true);
    await acquireAgain(1);
    expect((await stores.shards.getOrCreateShard(1)).cleanupPending).toBe(false);
    await split(2);
    expect(await contents(4)).toEqual(expectedContents(4));
  });

  it('a split committed in its shard row but not in cluster metadata is finished by the next owner', async () => {
    await startReshard(4);
    const metadata = Object.create(stores.clusterMetadata) as PersistenceStores['clusterMetadata'];
    metadata.updateClusterMetadata = () => Promise.reject(new Error('injected metadata failure'));
    const broken = deps({
      stores: Object.assign(Object.create(stores) as PersistenceStores, { clusterMetadata: metadata }),
    });
    await expect(splitShard(broken, (await prepareSplit(broken, 1))!)).rejects.toThrow('injected');
    expect(layout.isSplit(1)).toBe(false);
    expect((await stores.shards.getOrCreateShard(1)).cleanupPending).toBe(true);
    await acquireAgain(1);
    expect(layout.isSplit(1)).toBe(true);
    await split(2);
    expect(await contents(4)).toEqual(expectedContents(4));
  });

  it('a split fenced off by a newer owner of the shard commits nothing', async () => {
    await startReshard(4);
    // Another host takes shard 1 while the split copies: the split's commit fails on the range id.
    const stolen = failingOnce('importExecutions', Infinity);
    const importing = stolen.executions.importExecutions.bind(stolen.executions);
    stolen.executions.importExecutions = async (request) => {
      await Shard.acquire(1, stores, logger, 'thief');
      return importing(request);
    };
    await expect(split(1, deps({ stores: stolen }))).rejects.toThrow();
    expect(layout.isSplit(1)).toBe(false);
    expect((await stores.shards.getOrCreateShard(1)).cleanupPending).toBe(false);
    expect((await contents(2)).get(1)).toEqual(expectedContents(2).get(1));
  });
});

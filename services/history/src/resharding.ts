// Online resharding: a reshard from N to M shards (M a multiple of N) splits each old shard s into s, s + N, ...
// The host that owns s splits it while s is released (calls for s wait; every other shard keeps serving):
//   1. acquire s and its targets bare (range ids bumped, so any earlier owner's writes are fenced off), and purge
//      the targets (rows an interrupted attempt left there);
//   2. copy every run, current-execution row, history branch and history task whose execution now hashes to a
//      target; tasks get ids of the target's range, timers keep their fire times;
//   3. commit: mark s's own shard row (shard_count M, cleanup pending), fenced by its range id. From here on the
//      split is decided: whoever acquires s next finishes it;
//   4. record s as split in cluster metadata (every process then routes s's moved executions to the targets), and
//      delete the moved rows from s.
// A crash before 3 leaves the reshard as it was (the next owner of s starts the split again); after 3, the next
// acquisition of s finishes 4 before serving. Nothing is written twice: a target is only served after 4, from rows
// that the copy wrote in full.
import type { Logger } from '@tempora/common';
import { shardIdFor, type ShardLayout } from '@tempora/membership';
import {
  ConditionFailedError,
  type CurrentExecutionRow,
  type HistoryTask,
  type HistoryTaskCategory,
  type Page,
  type PageToken,
  type PersistenceStores,
  type WorkflowExecutionRow,
} from '@tempora/persistence';
import { ClusterMetadataRecord } from '@tempora/proto/persistence';
import type { HistoryMetrics } from './engine-metrics.js';
import { Shard } from './shard.js';

const PAGE_SIZE = 500;
/** Runs per import write (their tasks ride along); keeps a Cassandra batch well under its size limits. */
const IMPORT_CHUNK = 25;
/** History branches copied at once. */
const HISTORY_COPY_CONCURRENCY = 16;
const CATEGORIES: HistoryTaskCategory[] = ['transfer', 'timer', 'visibility', 'retention'];

export interface ReshardDeps {
  stores: PersistenceStores;
  layout: ShardLayout;
  identity: string;
  logger: Logger;
  metrics: HistoryMetrics;
}

/** What of a shard belongs elsewhere under a shard count. */
interface Moving {
  runs: WorkflowExecutionRow[];
  currentRows: CurrentExecutionRow[];
  tasks: HistoryTask[];
}

async function* pages<T>(read: (token: PageToken) => Promise<Page<T>>): AsyncGenerator<T> {
  let token: PageToken;
  do {
    const page = await read(token);
    yield* page.items;
    token = page.nextPageToken;
  } while (token?.length);
}

function allTasks(stores: PersistenceStores, shardId: number, category: HistoryTaskCategory) {
  return pages((pageToken) =>
    category === 'timer' || category === 'retention'
      ? stores.executions.getHistoryTasks({
          shardId,
          category,
          minFireTime: 0,
          exclusiveMinTaskId: -1,
          maxFireTime: Number.MAX_SAFE_INTEGER,
          pageSize: PAGE_SIZE,
          pageToken,
        })
      : stores.executions.getHistoryTasks({
          shardId,
          category,
          exclusiveMinTaskId: 0,
          inclusiveMaxTaskId: Number.MAX_SAFE_INTEGER,
          pageSize: PAGE_SIZE,
          pageToken,
        }),
  );
}

/** The rows of `shardId` whose executions hash elsewhere under `shardCount`, by the shard they belong to. */
async function rowsMovingAway(
  stores: PersistenceStores,
  shardId: number,
  shardCount: number,
): Promise<Map<number, Moving>> {
  const moving = new Map<number, Moving>();
  const of = (namespaceId: string, workflowId: string) => {
    const target = shardIdFor(namespaceId, workflowId, shardCount);
    if (target === shardId) return undefined;
    let entry = moving.get(target);
    if (!entry) moving.set(target, (entry = { runs: [], currentRows: [], tasks: [] }));
    return entry;
  };
  const ex = stores.executions;
  for await (const run of pages((t) => ex.listWorkflowExecutions(shardId, PAGE_SIZE, t))) {
    of(run.namespaceId, run.workflowId)?.runs.push(run);
  }
  for await (const row of pages((t) => ex.listCurrentExecutions(shardId, PAGE_SIZE, t))) {
    of(row.namespaceId, row.workflowId)?.currentRows.push(row);
  }
  for (const category of CATEGORIES) {
    for await (const task of allTasks(stores, shardId, category))
      of(task.namespaceId, task.workflowId)?.tasks.push(task);
  }
  return moving;
}

const runCount = (moving: Map<number, Moving>) => [...moving.values()].reduce((n, m) => n + m.runs.length, 0);

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function copyHistory(stores: PersistenceStores, from: number, to: number, runId: string): Promise<void> {
  const nodes = pages((pageToken) =>
    stores.history.readHistoryBranch({
      shardId: from,
      branchToken: runId,
      minNodeId: 1,
      maxNodeId: Number.MAX_SAFE_INTEGER,
      pageSize: 100,
      pageToken,
    }),
  );
  for await (const node of nodes) await stores.history.appendHistoryNode(to, runId, node);
}

/** Empties a target of what an interrupted attempt wrote, so the copy starts from nothing. */
async function purgeTarget(stores: PersistenceStores, target: Shard): Promise<void> {
  const runs: string[] = [];
  for await (const run of pages((t) => stores.executions.listWorkflowExecutions(target.shardId, PAGE_SIZE, t))) {
    runs.push(run.runId);
  }
  await inParallel(runs, HISTORY_COPY_CONCURRENCY, (runId) =>
    stores.history.deleteHistoryBranch(target.shardId, runId),
  );
  await stores.executions.purgeShard(target.shardId, target.rangeId);
}

async function copyTo(stores: PersistenceStores, source: number, target: Shard, moving: Moving): Promise<void> {
  await inParallel(moving.runs, HISTORY_COPY_CONCURRENCY, (run) =>
    copyHistory(stores, source, target.shardId, run.runId),
  );
  const tasksOf = new Map<string, HistoryTask[]>();
  for (const task of moving.tasks) {
    const key = `${task.namespaceId}/${task.workflowId}`;
    tasksOf.set(key, [...(tasksOf.get(key) ?? []), task]);
  }
  // Runs of one workflow id travel in one write with their current row and tasks.
  const byWorkflow = new Map<string, { runs: WorkflowExecutionRow[]; current: CurrentExecutionRow[] }>();
  const entry = (namespaceId: string, workflowId: string) => {
    const key = `${namespaceId}/${workflowId}`;
    let e = byWorkflow.get(key);
    if (!e) byWorkflow.set(key, (e = { runs: [], current: [] }));
    return e;
  };
  for (const run of moving.runs) entry(run.namespaceId, run.workflowId).runs.push(run);
  for (const row of moving.currentRows) entry(row.namespaceId, row.workflowId).current.push(row);
  for (const key of tasksOf.keys()) if (!byWorkflow.has(key)) byWorkflow.set(key, { runs: [], current: [] });
  const workflows = [...byWorkflow.entries()];
  for (let i = 0; i < workflows.length; i += IMPORT_CHUNK) {
    const chunk = workflows.slice(i, i + IMPORT_CHUNK);
    const tasks = chunk.flatMap(([key]) => tasksOf.get(key) ?? []);
    const ids = await target.allocateTaskIds(tasks.length);
    try {
      await stores.executions.importExecutions({
        shardId: target.shardId,
        rangeId: target.rangeId,
        executions: chunk.flatMap(([, e]) => e.runs),
        currentRows: chunk.flatMap(([, e]) => e.current),
        tasks: tasks.map((task, n) => ({ ...task, taskId: ids[n]! })),
      });
    } finally {
      target.releaseTaskIds(ids);
    }
  }
}

/** Records shard `shardId`'s split in cluster metadata; the last split of a reshard finishes it. Idempotent. */
async function commitSplit(deps: ReshardDeps, shardId: number, shardCount: number, moved: number): Promise<void> {
  const metadata = deps.stores.clusterMetadata;
  for (;;) {
    const stored = await metadata.getClusterMetadata();
    if (!stored) throw new Error('cluster metadata is missing');
    const reshard = stored.reshard;
    if (!reshard || reshard.toShardCount !== shardCount || reshard.splitShards.includes(shardId)) {
      // Committed already (by an earlier attempt), or the whole reshard finished.
      deps.layout.update(stored);
      return;
    }
    const splitShards = [...reshard.splitShards, shardId].sort((a, b) => a - b);
    const progressed = { ...reshard, splitShards, movedExecutions: reshard.movedExecutions + moved };
    const finished = splitShards.length === reshard.fromShardCount;
    const next = ClusterMetadataRecord.fromPartial({
      ...stored,
      version: stored.version + 1,
      ...(finished
        ? {
            historyShardCount: shardCount,
            reshard: undefined,
            lastReshard: { ...progressed, splitShards: [], completedTime: new Date() },
          }
        : { reshard: progressed }),
    });
    try {
      await metadata.updateClusterMetadata(next, stored.version);
    } catch (err) {
      if (err instanceof ConditionFailedError) continue;
      throw err;
    }
    deps.layout.update(next);
    if (finished) deps.logger.info({ shardCount }, 'reshard finished');
    return;
  }
}

/** Deletes from `source` what moved to other shards; the split is then complete. */
async function deleteMovedRows(deps: ReshardDeps, source: Shard, moving: Map<number, Moving>): Promise<void> {
  const { stores } = deps;
  const all = [...moving.values()];
  await inParallel(
    all.flatMap((m) => m.runs),
    HISTORY_COPY_CONCURRENCY,
    async (run) => {
      await stores.executions.deleteWorkflowExecution(
        source.shardId,
        source.rangeId,
        run.namespaceId,
        run.workflowId,
        run.runId,
      );
      await stores.history.deleteHistoryBranch(source.shardId, run.runId);
    },
  );
  // A current row whose run is gone already (or lives on another shard) is deleted through its own run id.
  await inParallel(
    all.flatMap((m) => m.currentRows),
    HISTORY_COPY_CONCURRENCY,
    (row) =>
      stores.executions.deleteWorkflowExecution(
        source.shardId,
        source.rangeId,
        row.namespaceId,
        row.workflowId,
        row.runId,
      ),
  );
  const tasks = all.flatMap((m) => m.tasks);
  for (let i = 0; i < tasks.length; i += PAGE_SIZE) {
    await stores.executions.deleteHistoryTasks(source.shardId, source.rangeId, tasks.slice(i, i + PAGE_SIZE));
  }
  await source.updateRecord({ cleanupPending: false });
}

/**
 * Finishes a split committed in `source`'s shard row (step 4): for the host acquiring a shard whose row says
 * cleanup is pending. `source` is the acquired shard.
 */
export async function finishSplit(deps: ReshardDeps, source: Shard): Promise<void> {
  const started = performance.now();
  const shardCount = source.record.shardCount;
  const moving = await rowsMovingAway(deps.stores, source.shardId, shardCount);
  await commitSplit(deps, source.shardId, shardCount, runCount(moving));
  await deleteMovedRows(deps, source, moving);
  deps.metrics.shardSplit(runCount(moving), performance.now() - started);
  deps.logger.info({ shardId: source.shardId, moved: runCount(moving) }, 'finished a committed shard split');
}

/** Splits old shard `shardId` of the reshard in progress. The caller has released the shard's engine. */
export async function splitShard(deps: ReshardDeps, shardId: number): Promise<void> {
  const { stores, logger, identity, layout } = deps;
  const reshard = layout.reshard;
  if (!reshard || layout.isSplit(shardId)) return;
  const { fromShardCount, toShardCount } = reshard;
  const started = performance.now();
  const source = await Shard.acquire(shardId, stores, logger, identity);
  const targets: Shard[] = [];
  try {
    if (source.record.cleanupPending && source.record.shardCount === toShardCount) {
      await finishSplit(deps, source);
      return;
    }
    for (let id = shardId + fromShardCount; id <= toShardCount; id += fromShardCount) {
      const target = await Shard.acquire(id, stores, logger, identity);
      targets.push(target);
      await target.updateRecord({ shardCount: toShardCount, cleanupPending: false, queueAckLevels: {} });
      await purgeTarget(stores, target);
    }
    const moving = await rowsMovingAway(stores, shardId, toShardCount);
    for (const target of targets) {
      const rows = moving.get(target.shardId);
      if (rows) await copyTo(stores, shardId, target, rows);
    }
    await source.updateRecord({ shardCount: toShardCount, cleanupPending: true });
    const moved = runCount(moving);
    await commitSplit(deps, shardId, toShardCount, moved);
    await deleteMovedRows(deps, source, moving);
    const ms = performance.now() - started;
    deps.metrics.shardSplit(moved, ms);
    logger.info({ shardId, targets: targets.map((t) => t.shardId), moved, ms: Math.round(ms) }, 'shard split');
  } finally {
    source.close(false);
    for (const target of targets) target.close(false);
  }
}

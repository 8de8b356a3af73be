// Online resharding: a reshard from N to M shards (M a multiple of N) splits each old shard s into s, s + N, ...
// The host that owns s splits it:
//   0. while s still serves (prepareSplit): acquire the targets bare and purge them (rows an interrupted attempt
//      left), and copy the history of every run that will move;
//   1. release s (calls for s wait; every other shard keeps serving) and acquire it bare: its range id moves, so any
//      earlier owner's writes are fenced off (splitShard);
//   2. copy every moving run, current-execution row and history task, and the history appended since step 0; tasks
//      get ids of the target's range, timers keep their fire times;
//   3. commit: mark s's own shard row (shard_count M, cleanup pending), fenced by its range id. From here on the
//      split is decided: whoever acquires s next finishes it;
//   4. record s as split in cluster metadata (every process then routes s's moved executions to the targets) and
//      delete the moved tasks from s; s serves again (resumeCommittedSplit, on acquisition);
//   5. while s serves, delete the moved runs, current rows and histories and clear cleanup pending
//      (deleteMovedExecutions); s's engine refuses calls for them meanwhile (its hash check under shard_count).
// A crash before 3 leaves the reshard as it was (the next owner of s starts the split again); after it, the next
// acquisition of s redoes 4 and 5. Nothing is written twice: a target is only served after 4, from rows that the
// copy wrote in full.
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
/** History branches copied (or runs deleted) at once. */
const HISTORY_COPY_CONCURRENCY = 16;
/** Import writes to one target at once. */
const IMPORT_CONCURRENCY = 4;
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

/**
 * What of `shardId` belongs to executions that hash elsewhere under `shardCount`, by the shard they belong to: their
 * runs and current rows (`rows`), their history tasks (`tasks`).
 */
async function movingAway(
  stores: PersistenceStores,
  shardId: number,
  shardCount: number,
  parts: { rows: boolean; tasks: boolean },
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
  if (parts.rows) {
    for await (const run of pages((t) => ex.listWorkflowExecutions(shardId, PAGE_SIZE, t))) {
      of(run.namespaceId, run.workflowId)?.runs.push(run);
    }
    for await (const row of pages((t) => ex.listCurrentExecutions(shardId, PAGE_SIZE, t))) {
      of(row.namespaceId, row.workflowId)?.currentRows.push(row);
    }
  }
  if (parts.tasks) {
    for (const category of CATEGORIES) {
      for await (const task of allTasks(stores, shardId, category))
        of(task.namespaceId, task.workflowId)?.tasks.push(task);
    }
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

/**
 * Appends the run's history batches from `fromNodeId` on to the target. Batches below the last one copied earlier
 * never change (a batch is only rewritten, at a higher txn id, before the next one is appended), so a second pass
 * from the last copied batch catches up.
 */
async function copyHistory(
  stores: PersistenceStores,
  from: number,
  to: number,
  runId: string,
  fromNodeId: number,
): Promise<number> {
  let last = fromNodeId;
  const nodes = pages((pageToken) =>
    stores.history.readHistoryBranch({
      shardId: from,
      branchToken: runId,
      minNodeId: fromNodeId,
      maxNodeId: Number.MAX_SAFE_INTEGER,
      pageSize: 100,
      pageToken,
    }),
  );
  for await (const node of nodes) {
    await stores.history.appendHistoryNode(to, runId, node);
    last = node.nodeId;
  }
  return last;
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

/**
 * The part of a split done while the old shard still serves: its targets acquired and purged, and the history of
 * every run that will move copied (history is most of the bytes). What changes meanwhile is caught up by the split.
 */
export interface PreparedSplit {
  shardId: number;
  shardCount: number;
  targets: Shard[];
  /** Per run id, the last history batch copied. */
  copiedHistory: Map<string, number>;
}

export async function prepareSplit(deps: ReshardDeps, shardId: number): Promise<PreparedSplit | undefined> {
  const { stores, logger, identity, layout } = deps;
  const reshard = layout.reshard;
  if (!reshard || layout.isSplit(shardId)) return undefined;
  const { fromShardCount, toShardCount } = reshard;
  const prepared: PreparedSplit = { shardId, shardCount: toShardCount, targets: [], copiedHistory: new Map() };
  try {
    for (let id = shardId + fromShardCount; id <= toShardCount; id += fromShardCount) {
      const target = await Shard.acquire(id, stores, logger, identity);
      prepared.targets.push(target);
      await target.updateRecord({ shardCount: toShardCount, cleanupPending: false, queueAckLevels: {} });
      await purgeTarget(stores, target);
    }
    const runs: [number, string][] = [];
    for await (const run of pages((t) => stores.executions.listWorkflowExecutions(shardId, PAGE_SIZE, t))) {
      const target = shardIdFor(run.namespaceId, run.workflowId, toShardCount);
      if (target !== shardId) runs.push([target, run.runId]);
    }
    await inParallel(runs, HISTORY_COPY_CONCURRENCY, async ([target, runId]) => {
      prepared.copiedHistory.set(runId, await copyHistory(stores, shardId, target, runId, 1));
    });
    return prepared;
  } catch (err) {
    for (const target of prepared.targets) target.close(false);
    throw err;
  }
}

async function copyTo(
  stores: PersistenceStores,
  source: number,
  target: Shard,
  moving: Moving,
  copiedHistory: Map<string, number>,
): Promise<void> {
  await inParallel(moving.runs, HISTORY_COPY_CONCURRENCY, async (run) => {
    await copyHistory(stores, source, target.shardId, run.runId, copiedHistory.get(run.runId) ?? 1);
  });
  const tasksOf = new Map<string, HistoryTask[]>();
  for (const task of moving.tasks) {
    const key = `${task.namespaceId}/${task.workflowId}`;
    const tasks = tasksOf.get(key);
    if (tasks) tasks.push(task);
    else tasksOf.set(key, [task]);
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
  const chunks: (typeof workflows)[] = [];
  for (let i = 0; i < workflows.length; i += IMPORT_CHUNK) chunks.push(workflows.slice(i, i + IMPORT_CHUNK));
  await inParallel(chunks, IMPORT_CONCURRENCY, async (chunk) => {
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
  });
}

/**
 * Records shard `shardId`'s split in cluster metadata, with the runs it moved (`countMoved` is asked only when the
 * record lacks the split); the last split of a reshard finishes it. Idempotent.
 */
async function commitSplit(
  deps: ReshardDeps,
  shardId: number,
  shardCount: number,
  countMoved: () => Promise<number>,
): Promise<void> {
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
    const moved = await countMoved();
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

async function deleteMovedTasks(deps: ReshardDeps, source: Shard, moving: Map<number, Moving>): Promise<void> {
  const tasks = [...moving.values()].flatMap((m) => m.tasks);
  for (let i = 0; i < tasks.length; i += PAGE_SIZE) {
    await deps.stores.executions.deleteHistoryTasks(source.shardId, source.rangeId, tasks.slice(i, i + PAGE_SIZE));
  }
}

/**
 * Before a shard whose row says a split is committed serves again: the split recorded in cluster metadata (the
 * splitting host did that already unless it died first) and the moved executions' tasks deleted, so nothing of the
 * shard acts on them. Their rows stay until `deleteMovedExecutions`; the engine's hash check refuses calls for them.
 */
export async function resumeCommittedSplit(deps: ReshardDeps, source: Shard): Promise<void> {
  const { stores } = deps;
  const { shardId } = source;
  const { shardCount } = source.record;
  const countMoved = async () => runCount(await movingAway(stores, shardId, shardCount, { rows: true, tasks: false }));
  await commitSplit(deps, shardId, shardCount, countMoved);
  await deleteMovedTasks(deps, source, await movingAway(stores, shardId, shardCount, { rows: false, tasks: true }));
}

/** While the shard serves: deletes the moved runs, current rows and histories; the split is then complete. */
export async function deleteMovedExecutions(deps: ReshardDeps, source: Shard): Promise<void> {
  const { stores } = deps;
  const { shardId } = source;
  const { shardCount } = source.record;
  const moving = await movingAway(stores, shardId, shardCount, { rows: true, tasks: false });
  const all = [...moving.values()];
  await inParallel(
    all.flatMap((m) => m.runs),
    HISTORY_COPY_CONCURRENCY,
    async (run) => {
      await stores.executions.deleteWorkflowExecution(
        shardId,
        source.rangeId,
        run.namespaceId,
        run.workflowId,
        run.runId,
      );
      await stores.history.deleteHistoryBranch(shardId, run.runId);
    },
  );
  // A current row whose run is gone already (or lives on another shard) is deleted through its own run id.
  await inParallel(
    all.flatMap((m) => m.currentRows),
    HISTORY_COPY_CONCURRENCY,
    (row) =>
      stores.executions.deleteWorkflowExecution(shardId, source.rangeId, row.namespaceId, row.workflowId, row.runId),
  );
  await source.updateRecord({ cleanupPending: false });
  deps.logger.info({ shardId, deleted: runCount(moving) }, 'deleted the runs a split moved away');
}

/**
 * Splits old shard `shardId` of the reshard in progress, from `prepared` (made while it served). The caller has
 * released the shard's engine; when this returns the split is committed and the shard may be acquired again (the
 * acquisition finds cleanup_pending and finishes). Returns the runs moved.
 */
export async function splitShard(deps: ReshardDeps, prepared: PreparedSplit): Promise<number> {
  const { stores, logger, identity } = deps;
  const { shardId, shardCount, targets } = prepared;
  const started = performance.now();
  const source = await Shard.acquire(shardId, stores, logger, identity);
  try {
    if (source.record.cleanupPending && source.record.shardCount === shardCount) return 0;
    const moving = await movingAway(stores, shardId, shardCount, { rows: true, tasks: true });
    await Promise.all(
      targets.map(async (target) => {
        const rows = moving.get(target.shardId);
        if (rows) await copyTo(stores, shardId, target, rows, prepared.copiedHistory);
      }),
    );
    await source.updateRecord({ shardCount, cleanupPending: true });
    const moved = runCount(moving);
    await commitSplit(deps, shardId, shardCount, async () => moved);
    await deleteMovedTasks(deps, source, moving);
    const ms = performance.now() - started;
    deps.metrics.shardSplit(moved, ms);
    logger.info({ shardId, targets: targets.map((t) => t.shardId), moved, ms: Math.round(ms) }, 'shard split');
    return moved;
  } finally {
    source.close(false);
    for (const target of targets) target.close(false);
  }
}

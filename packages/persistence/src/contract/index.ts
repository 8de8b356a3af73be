// The persistence contract test suite: what every store must do, written against the interfaces only. A store's
// test file calls describePersistenceContract with a way to open it. Every test uses fresh random ids (shards,
// namespaces, workflows, branches, queues), so the suite also runs against a shared, persistent backend.
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ClusterMetadataRecord, NamespaceRecord, ReshardState, ShardRecord } from '@tempora/proto/persistence';
import {
  ExecutionState,
  isScheduledCategory,
  type CurrentExecutionCondition,
  type CurrentExecutionRow,
  type ExecutionWrite,
  type HistoryAppend,
  type HistoryNode,
  type HistoryTask,
  type HistoryTaskCategory,
  type Page,
  type PageToken,
  type PersistenceStores,
  type TaskQueueKey,
  type TaskQueueTask,
  type WorkflowExecutionRow,
} from '../contract.js';
import {
  ConcurrentUpdateError,
  ConditionFailedError,
  CurrentWorkflowConditionFailedError,
  InvalidPageTokenError,
  NamespaceAlreadyExistsError,
  NamespaceNotFoundError,
  PersistenceError,
  ShardOwnershipLostError,
  TaskQueueLeaseLostError,
} from '../errors.js';

/** temporal.api.enums.v1.WorkflowExecutionStatus values used as opaque numbers by the store. */
const STATUS_RUNNING = 1;
const STATUS_COMPLETED = 2;
/** temporal.api.enums.v1.TaskQueueType WORKFLOW */
const TASK_QUEUE_TYPE_WORKFLOW = 1;

const ALL_TASK_IDS = { exclusiveMinTaskId: 0, inclusiveMaxTaskId: Number.MAX_SAFE_INTEGER } as const;

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** Shard ids are int32 in every store; a random one keeps tests apart on a shared backend. */
function randomShardId(): number {
  return randomInt(1, 2 ** 31 - 1);
}

function hasMorePages(token: PageToken): boolean {
  return token !== undefined && token.length > 0;
}

/** Reads every page, checking none exceeds pageSize, and returns the items in the order read. */
async function readAllPages<T>(pageSize: number, readPage: (token: PageToken) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let token: PageToken;
  do {
    const page = await readPage(token);
    expect(page.items.length).toBeLessThanOrEqual(pageSize);
    items.push(...page.items);
    token = page.nextPageToken;
  } while (hasMorePages(token));
  return items;
}

/** Reads every page of a listing expected to need more than one page, checking that the first page is full. */
async function readSeveralPages<T>(pageSize: number, readPage: (token: PageToken) => Promise<Page<T>>): Promise<T[]> {
  const firstPage = await readPage(undefined);
  expect(firstPage.items).toHaveLength(pageSize);
  expect(hasMorePages(firstPage.nextPageToken)).toBe(true);
  return readAllPages(pageSize, readPage);
}

/** The error a promise rejects with; fails the test when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

function clusterMetadata(historyShardCount: number): ClusterMetadataRecord {
  return ClusterMetadataRecord.fromPartial({
    clusterName: 'active',
    clusterId: randomUUID(),
    historyShardCount,
    serverVersion: '0.1.0',
    initializedTime: new Date(),
  });
}

function namespaceRecord(name: string, id: string, configVersion = 1): NamespaceRecord {
  return NamespaceRecord.fromPartial({
    info: { id, name, description: `contract test namespace ${name}` },
    configVersion,
    createdTime: new Date(),
  });
}

function runRow(
  namespaceId: string,
  workflowId: string,
  overrides: Partial<WorkflowExecutionRow> = {},
): WorkflowExecutionRow {
  return {
    namespaceId,
    workflowId,
    runId: randomUUID(),
    state: bytes('state v1'),
    nextEventId: 3,
    dbRecordVersion: 1,
    ...overrides,
  };
}

/** The create condition of a run that takes over the workflow id from run. */
function replacing(run: WorkflowExecutionRow): CurrentExecutionCondition {
  return { kind: 'replace-current', previousRunId: run.runId };
}

function currentRowOf(run: WorkflowExecutionRow, overrides: Partial<CurrentExecutionRow> = {}): CurrentExecutionRow {
  return {
    namespaceId: run.namespaceId,
    workflowId: run.workflowId,
    runId: run.runId,
    createRequestId: randomUUID(),
    state: ExecutionState.Running,
    status: STATUS_RUNNING,
    startTime: 1_700_000_000_000,
    lastWriteVersion: 0,
    ...overrides,
  };
}

function historyTask(
  run: WorkflowExecutionRow,
  category: HistoryTaskCategory,
  taskId: number,
  fireTime = 0,
): HistoryTask {
  return {
    category,
    taskId,
    fireTime,
    namespaceId: run.namespaceId,
    workflowId: run.workflowId,
    runId: run.runId,
    data: bytes(`${category} task ${taskId}`),
  };
}

export function describePersistenceContract(storeName: string, open: () => Promise<PersistenceStores>): void {
  describe(`persistence contract: ${storeName}`, () => {
    let stores: PersistenceStores;

    beforeEach(async () => {
      stores = await open();
    });

    afterEach(async () => {
      await stores.close();
    });

    interface OwnedShard {
      shardId: number;
      rangeId: number;
    }

    /** Creates a fresh shard and acquires it the way a history host does: by bumping its range_id. */
    async function acquireShard(): Promise<OwnedShard> {
      const shard = await stores.shards.getOrCreateShard(randomShardId());
      const rangeId = shard.rangeId + 1;
      await stores.shards.updateShard({ ...shard, rangeId, owner: 'contract-test-host' }, shard.rangeId);
      return { shardId: shard.shardId, rangeId };
    }

    async function createRun(
      shard: OwnedShard,
      run: WorkflowExecutionRow,
      tasks: HistoryTask[] = [],
      current: CurrentExecutionCondition = { kind: 'brand-new' },
    ): Promise<CurrentExecutionRow> {
      const currentRow = currentRowOf(run);
      await stores.executions.createWorkflowExecution({ ...shard, current, execution: run, currentRow, tasks });
      return currentRow;
    }

    /** A group-commit write creating a brand-new run. */
    function create(
      shard: OwnedShard,
      run: WorkflowExecutionRow,
      tasks: HistoryTask[],
      history?: HistoryAppend[],
    ): Extract<ExecutionWrite, { kind: 'create' }> {
      const request = {
        ...shard,
        current: { kind: 'brand-new' as const },
        execution: run,
        currentRow: currentRowOf(run),
        tasks,
        history,
      };
      return { kind: 'create', request };
    }

    function getRun(shard: OwnedShard, run: WorkflowExecutionRow): Promise<WorkflowExecutionRow | undefined> {
      return stores.executions.getWorkflowExecution(shard.shardId, run.namespaceId, run.workflowId, run.runId);
    }

    function getCurrent(shard: OwnedShard, run: WorkflowExecutionRow): Promise<CurrentExecutionRow | undefined> {
      return stores.executions.getCurrentExecution(shard.shardId, run.namespaceId, run.workflowId);
    }

    /** Every task of an immediate category on the shard. */
    function readImmediateTasks(shardId: number, category: 'transfer' | 'visibility'): Promise<HistoryTask[]> {
      return readAllPages(100, (pageToken) =>
        stores.executions.getHistoryTasks({ shardId, category, ...ALL_TASK_IDS, pageSize: 100, pageToken }),
      );
    }

    /** Every timer on the shard firing before maxFireTime. */
    function readTimers(
      shardId: number,
      pageSize = 100,
      maxFireTime = Number.MAX_SAFE_INTEGER,
    ): Promise<HistoryTask[]> {
      return readAllPages(pageSize, (pageToken) =>
        stores.executions.getHistoryTasks({
          shardId,
          category: 'timer',
          minFireTime: 0,
          exclusiveMinTaskId: 0,
          maxFireTime,
          pageSize,
          pageToken,
        }),
      );
    }

    const ALL_CATEGORIES: readonly HistoryTaskCategory[] = ['transfer', 'timer', 'visibility', 'retention'];

    /** Every task on the shard by category, each in its read order. */
    async function tasksOf(shardId: number): Promise<Record<HistoryTaskCategory, HistoryTask[]>> {
      const read = (category: HistoryTaskCategory) =>
        readAllPages(2, (pageToken) =>
          stores.executions.getHistoryTasks(
            isScheduledCategory(category)
              ? {
                  shardId,
                  category,
                  minFireTime: 0,
                  exclusiveMinTaskId: 0,
                  maxFireTime: Number.MAX_SAFE_INTEGER,
                  pageSize: 2,
                  pageToken,
                }
              : { shardId, category, ...ALL_TASK_IDS, pageSize: 2, pageToken },
          ),
        );
      const [transfer, timer, visibility, retention] = await Promise.all(ALL_CATEGORIES.map(read));
      return { transfer, timer, visibility, retention };
    }

    const NO_TASKS = { transfer: [], timer: [], visibility: [], retention: [] };

    describe('cluster metadata', () => {
      it('is written only if absent: a later start with another shard count gets the first record', async () => {
        const before = await stores.clusterMetadata.getClusterMetadata();
        const proposed = clusterMetadata(4);

        const first = await stores.clusterMetadata.initializeClusterMetadata(proposed);
        expect(first).toEqual(before ?? proposed);

        const otherShardCount = clusterMetadata(first.historyShardCount + 8);
        const second = await stores.clusterMetadata.initializeClusterMetadata(otherShardCount);
        expect(second).toEqual(first);
        expect(await stores.clusterMetadata.getClusterMetadata()).toEqual(first);
      });
    });

    describe('namespaces', () => {
      it('creates a namespace readable by name and by id', async () => {
        const record = namespaceRecord(uniqueName('ns'), randomUUID());
        await stores.namespaces.createNamespace(record);

        expect(await stores.namespaces.getNamespaceByName(record.info!.name)).toEqual(record);
        expect(await stores.namespaces.getNamespaceById(record.info!.id)).toEqual(record);
        expect(await stores.namespaces.getNamespaceByName(uniqueName('missing'))).toBeUndefined();
        expect(await stores.namespaces.getNamespaceById(randomUUID())).toBeUndefined();
      });

      it('rejects a duplicate name and a duplicate id, keeping the original', async () => {
        const original = namespaceRecord(uniqueName('ns'), randomUUID());
        await stores.namespaces.createNamespace(original);
        const sameName = namespaceRecord(original.info!.name, randomUUID());
        const sameId = namespaceRecord(uniqueName('ns'), original.info!.id);

        await expect(stores.namespaces.createNamespace(sameName)).rejects.toBeInstanceOf(NamespaceAlreadyExistsError);
        await expect(stores.namespaces.createNamespace(sameId)).rejects.toBeInstanceOf(NamespaceAlreadyExistsError);

        expect(await stores.namespaces.getNamespaceByName(original.info!.name)).toEqual(original);
        expect(await stores.namespaces.getNamespaceById(sameName.info!.id)).toBeUndefined();
        expect(await stores.namespaces.getNamespaceByName(sameId.info!.name)).toBeUndefined();
      });

      it('updates only when the stored config version is the expected one', async () => {
        const original = namespaceRecord(uniqueName('ns'), randomUUID(), 1);
        await stores.namespaces.createNamespace(original);
        const updated = NamespaceRecord.fromPartial({
          ...original,
          info: { ...original.info, description: 'updated' },
          configVersion: 2,
        });

        await expect(stores.namespaces.updateNamespace(updated, 0)).rejects.toBeInstanceOf(ConditionFailedError);
        expect(await stores.namespaces.getNamespaceById(original.info!.id)).toEqual(original);

        await stores.namespaces.updateNamespace(updated, 1);
        expect(await stores.namespaces.getNamespaceById(original.info!.id)).toEqual(updated);
        expect(await stores.namespaces.getNamespaceByName(original.info!.name)).toEqual(updated);

        await expect(stores.namespaces.updateNamespace(updated, 1)).rejects.toBeInstanceOf(ConditionFailedError);
      });

      it('fails to update an absent namespace with NamespaceNotFoundError', async () => {
        const absent = namespaceRecord(uniqueName('ns'), randomUUID());
        await expect(stores.namespaces.updateNamespace(absent, 1)).rejects.toBeInstanceOf(NamespaceNotFoundError);
      });

      it('lists every namespace exactly once, in name order, across pages', async () => {
        const prefix = uniqueName('list');
        // Created out of order so the listing order cannot come from insertion order.
        const names = [4, 0, 6, 2, 5, 1, 3].map((n) => `${prefix}-${n}`);
        for (const name of names) await stores.namespaces.createNamespace(namespaceRecord(name, randomUUID()));

        const pageSize = 3;
        const firstPage = await stores.namespaces.listNamespaces(pageSize, undefined);
        expect(firstPage.items).toHaveLength(pageSize);
        expect(hasMorePages(firstPage.nextPageToken)).toBe(true);

        const listed = (await readAllPages(pageSize, (token) => stores.namespaces.listNamespaces(pageSize, token))).map(
          (record) => record.info!.name,
        );
        // Other namespaces may share the store; the whole listing must still be strictly ordered (so no repeats).
        expect(listed).toEqual([...new Set(listed)].sort());
        expect(listed.filter((name) => name.startsWith(prefix))).toEqual([...names].sort());
      });

      it('rejects page tokens it did not issue', async () => {
        for (const token of ['garbage', '{"a":1}', '[]', '[1,2,3,4,5,6,7,8]']) {
          await expect(stores.namespaces.listNamespaces(2, Buffer.from(token))).rejects.toBeInstanceOf(
            InvalidPageTokenError,
          );
        }
        await expect(
          stores.history.readHistoryBranch({
            shardId: 1,
            branchToken: 'b',
            minNodeId: 1,
            maxNodeId: 10,
            pageSize: 2,
            pageToken: Buffer.from('x'),
          }),
        ).rejects.toBeInstanceOf(InvalidPageTokenError);
      });

      it('renames under the expected config version, freeing the old name; a repeated rename succeeds', async () => {
        const original = namespaceRecord(uniqueName('ns'), randomUUID(), 3);
        await stores.namespaces.createNamespace(original);
        const oldName = original.info!.name;
        const renamed = NamespaceRecord.fromPartial({
          ...original,
          info: { ...original.info, name: `${oldName}-deleted-${original.info!.id.slice(0, 5)}` },
          configVersion: 4,
        });

        await expect(stores.namespaces.renameNamespace(renamed, oldName, 2)).rejects.toBeInstanceOf(
          ConditionFailedError,
        );
        expect(await stores.namespaces.getNamespaceByName(oldName)).toEqual(original);

        await stores.namespaces.renameNamespace(renamed, oldName, 3);
        await stores.namespaces.renameNamespace(renamed, oldName, 3);

        expect(await stores.namespaces.getNamespaceByName(oldName)).toBeUndefined();
        expect(await stores.namespaces.getNamespaceByName(renamed.info!.name)).toEqual(renamed);
        expect(await stores.namespaces.getNamespaceById(original.info!.id)).toEqual(renamed);
        // The old name is free for a new namespace.
        const reused = namespaceRecord(oldName, randomUUID());
        await stores.namespaces.createNamespace(reused);
        expect(await stores.namespaces.getNamespaceByName(oldName)).toEqual(reused);
      });

      it('refuses a rename onto a name another namespace holds, or of a namespace that is absent', async () => {
        const first = namespaceRecord(uniqueName('ns'), randomUUID());
        const second = namespaceRecord(uniqueName('ns'), randomUUID());
        await stores.namespaces.createNamespace(first);
        await stores.namespaces.createNamespace(second);
        const ontoSecond = NamespaceRecord.fromPartial({ ...first, info: { ...first.info, name: second.info!.name } });

        await expect(stores.namespaces.renameNamespace(ontoSecond, first.info!.name, 1)).rejects.toBeInstanceOf(
          NamespaceAlreadyExistsError,
        );
        const absent = namespaceRecord(uniqueName('ns'), randomUUID());
        await expect(stores.namespaces.renameNamespace(absent, uniqueName('gone'), 1)).rejects.toBeInstanceOf(
          NamespaceNotFoundError,
        );
        expect(await stores.namespaces.getNamespaceByName(first.info!.name)).toEqual(first);
        expect(await stores.namespaces.getNamespaceByName(second.info!.name)).toEqual(second);
      });

      it('deletes idempotently and frees the name and id', async () => {
        const record = namespaceRecord(uniqueName('ns'), randomUUID());
        await stores.namespaces.createNamespace(record);

        await stores.namespaces.deleteNamespace(record.info!.id);
        await stores.namespaces.deleteNamespace(record.info!.id);

        expect(await stores.namespaces.getNamespaceById(record.info!.id)).toBeUndefined();
        expect(await stores.namespaces.getNamespaceByName(record.info!.name)).toBeUndefined();
        await stores.namespaces.createNamespace(record);
        expect(await stores.namespaces.getNamespaceById(record.info!.id)).toEqual(record);
      });
    });

    describe('shards', () => {
      it('creates an absent shard with range_id 0 and returns the same row afterwards', async () => {
        const shardId = randomShardId();
        const created = await stores.shards.getOrCreateShard(shardId);
        expect(created.shardId).toBe(shardId);
        expect(created.rangeId).toBe(0);
        expect(await stores.shards.getOrCreateShard(shardId)).toEqual(created);
      });

      it('updates only with the current range_id, else ShardOwnershipLostError', async () => {
        const shard = await stores.shards.getOrCreateShard(randomShardId());
        const acquired = ShardRecord.fromPartial({
          shardId: shard.shardId,
          rangeId: 1,
          owner: 'host-a',
          queueAckLevels: { transfer: 10, timer: 20 },
          updatedTime: new Date(),
        });
        await stores.shards.updateShard(acquired, 0);
        expect(await stores.shards.getOrCreateShard(shard.shardId)).toEqual(acquired);

        const stale = ShardRecord.fromPartial({ ...acquired, rangeId: 2, owner: 'host-b' });
        const error = await rejectionOf(stores.shards.updateShard(stale, 0));
        expect(error).toBeInstanceOf(ShardOwnershipLostError);
        expect(error).toMatchObject({ shardId: shard.shardId, expectedRangeId: 0, actualRangeId: 1 });
        expect(await stores.shards.getOrCreateShard(shard.shardId)).toEqual(acquired);
      });

      it('lets exactly one of two concurrent acquisitions win', async () => {
        const shard = await stores.shards.getOrCreateShard(randomShardId());
        const owners = ['host-a', 'host-b'];

        const acquired = (owner: string) => ({ ...shard, rangeId: shard.rangeId + 1, owner });
        const results = await Promise.allSettled(
          owners.map((owner) => stores.shards.updateShard(acquired(owner), shard.rangeId)),
        );

        const winners = owners.filter((_, i) => results[i].status === 'fulfilled');
        const losers = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
        expect(winners).toHaveLength(1);
        expect(losers).toHaveLength(1);
        expect(losers[0]).toBeInstanceOf(ShardOwnershipLostError);
        expect(await stores.shards.getOrCreateShard(shard.shardId)).toMatchObject({
          rangeId: shard.rangeId + 1,
          owner: winners[0],
        });
      });
    });

    describe('executions', () => {
      it('creates a brand-new run with its current row', async () => {
        const shard = await acquireShard();
        const run = runRow(randomUUID(), uniqueName('wf'));
        const currentRow = await createRun(shard, run);

        expect(await getRun(shard, run)).toEqual(run);
        expect(await getCurrent(shard, run)).toEqual(currentRow);
        expect(await getCurrent({ ...shard, shardId: randomShardId() }, run)).toBeUndefined();
      });

      it('rejects a brand-new run while a current run exists, carrying that current row', async () => {
        const shard = await acquireShard();
        const first = runRow(randomUUID(), uniqueName('wf'));
        const firstCurrent = await createRun(shard, first);
        const second = runRow(first.namespaceId, first.workflowId);

        const error = await rejectionOf(createRun(shard, second, [historyTask(second, 'transfer', 5)]));

        expect(error).toBeInstanceOf(CurrentWorkflowConditionFailedError);
        expect((error as CurrentWorkflowConditionFailedError).current).toEqual(firstCurrent);
        expect(await getRun(shard, second)).toBeUndefined();
        expect(await getCurrent(shard, first)).toEqual(firstCurrent);
        expect(await readImmediateTasks(shard.shardId, 'transfer')).toEqual([]);
      });

      it('replaces the current run only when it points at previousRunId', async () => {
        const shard = await acquireShard();
        const first = runRow(randomUUID(), uniqueName('wf'));
        const firstCurrent = await createRun(shard, first);
        const second = runRow(first.namespaceId, first.workflowId);

        const error = await rejectionOf(
          createRun(shard, second, [], { kind: 'replace-current', previousRunId: randomUUID() }),
        );
        expect(error).toBeInstanceOf(CurrentWorkflowConditionFailedError);
        expect((error as CurrentWorkflowConditionFailedError).current).toEqual(firstCurrent);
        expect(await getRun(shard, second)).toBeUndefined();

        const secondCurrent = await createRun(shard, second, [], replacing(first));
        expect(await getCurrent(shard, first)).toEqual(secondCurrent);
        expect(await getRun(shard, second)).toEqual(second);
        expect(await getRun(shard, first)).toEqual(first);
      });

      it('rejects a create on a shard whose range_id moved, writing nothing', async () => {
        const shard = await acquireShard();
        const run = runRow(randomUUID(), uniqueName('wf'));
        const stale = { ...shard, rangeId: shard.rangeId - 1 };

        await expect(createRun(stale, run, [historyTask(run, 'transfer', 1)])).rejects.toBeInstanceOf(
          ShardOwnershipLostError,
        );
        expect(await getRun(shard, run)).toBeUndefined();
        expect(await getCurrent(shard, run)).toBeUndefined();
        expect(await readImmediateTasks(shard.shardId, 'transfer')).toEqual([]);
      });

      it('updates when dbRecordVersion matches, writing the row, the current row and the tasks', async () => {
        const shard = await acquireShard();
        const run = runRow(randomUUID(), uniqueName('wf'));
        const currentRow = await createRun(shard, run);
        const updated = { ...run, state: bytes('state v2'), nextEventId: 7, dbRecordVersion: 2 };
        const completedCurrent = { ...currentRow, state: ExecutionState.Completed, status: STATUS_COMPLETED };
        const task = historyTask(run, 'transfer', 42);

        await stores.executions.updateWorkflowExecution({
          ...shard,
          execution: updated,
          expectedDbRecordVersion: 1,
          currentRow: completedCurrent,
          tasks: [task],
        });

        expect(await getRun(shard, run)).toEqual(updated);
        expect(await getCurrent(shard, run)).toEqual(completedCurrent);
        expect(await readImmediateTasks(shard.shardId, 'transfer')).toEqual([task]);
      });

      it('rejects an update with a stale dbRecordVersion with ConcurrentUpdateError, writing nothing', async () => {
        const shard = await acquireShard();
        const run = runRow(randomUUID(), uniqueName('wf'));
        const currentRow = await createRun(shard, run);

        const error = await rejectionOf(
          stores.executions.updateWorkflowExecution({
            ...shard,
            execution: { ...run, state: bytes('lost update'), dbRecordVersion: 3 },
            expectedDbRecordVersion: 2,
            currentRow: { ...currentRow, status: STATUS_COMPLETED },
            tasks: [historyTask(run, 'transfer', 1), historyTask(run, 'timer', 2, 1_000)],
          }),
        );

        expect(error).toBeInstanceOf(ConcurrentUpdateError);
        expect(await getRun(shard, run)).toEqual(run);
        expect(await getCurrent(shard, run)).toEqual(currentRow);
        expect(await readImmediateTasks(shard.shardId, 'transfer')).toEqual([]);
        expect(await readTimers(shard.shardId)).toEqual([]);
      });

      it('rejects an update with a stale rangeId with ShardOwnershipLostError, writing nothing', async () => {
        const shard = await acquireShard();
        const run = runRow(randomUUID(), uniqueName('wf'));
        const currentRow = await createRun(shard, run);
        // Another host takes the shard over.
        const current = await stores.shards.getOrCreateShard(shard.shardId);
        await stores.shards.updateShard({ ...current, rangeId: shard.rangeId + 1, owner: 'new-owner' }, shard.rangeId);

        const error = await rejectionOf(
          stores.executions.updateWorkflowExecution({
            ...shard,
            execution: { ...run, state: bytes('zombie write'), dbRecordVersion: 2 },
            expectedDbRecordVersion: 1,
            currentRow: { ...currentRow, status: STATUS_COMPLETED },
            tasks: [historyTask(run, 'transfer', 1)],
          }),
        );

        expect(error).toBeInstanceOf(ShardOwnershipLostError);
        expect(error).toMatchObject({ expectedRangeId: shard.rangeId, actualRangeId: shard.rangeId + 1 });
        expect(await getRun(shard, run)).toEqual(run);
        expect(await getCurrent(shard, run)).toEqual(currentRow);
        expect(await readImmediateTasks(shard.shardId, 'transfer')).toEqual([]);
      });

      it('group-commits creates and updates of several workflows in one write', async () => {
        const shard = await acquireShard();
        const namespaceId = randomUUID();
        const existing = runRow(namespaceId, uniqueName('wf'));
        const existingCurrent = await createRun(shard, existing);
        const fresh = [runRow(namespaceId, uniqueName('wf')), runRow(namespaceId, uniqueName('wf'))];
        const updated = { ...existing, state: bytes('state v2'), nextEventId: 9, dbRecordVersion: 2 };
        const closedCurrent = { ...existingCurrent, state: ExecutionState.Completed, status: STATUS_COMPLETED };
        const tasks = [historyTask(fresh[0]!, 'transfer', 11), historyTask(fresh[1]!, 'transfer', 12)];
        const timer = historyTask(existing, 'timer', 13, 5_000);

        const creates = fresh.map((run, i) => create(shard, run, [tasks[i]!]));
        const outcomes = await stores.executions.writeWorkflowExecutions([
          creates[0]!,
          {
            kind: 'update',
            request: {
              ...shard,
              execution: updated,
              expectedDbRecordVersion: 1,
              currentRow: closedCurrent,
              tasks: [timer],
            },
          },
          creates[1]!,
        ]);

        expect(outcomes).toEqual([undefined, undefined, undefined]);
        for (const [i, run] of fresh.entries()) {
          expect(await getRun(shard, run)).toEqual(run);
          expect(await getCurrent(shard, run)).toEqual(creates[i]!.request.currentRow);
        }
        expect(await getRun(shard, updated)).toEqual(updated);
        expect(await getCurrent(shard, existing)).toEqual(closedCurrent);
        expect(await readImmediateTasks(shard.shardId, 'transfer')).toEqual(tasks);
        expect(await readTimers(shard.shardId)).toEqual([timer]);
      });

      it('fails only the group-commit writes whose own condition fails', async () => {
        const shard = await acquireShard();
        const namespaceId = randomUUID();
        const running = runRow(namespaceId, uniqueName('wf'));
        const runningCurrent = await createRun(shard, running);
        const duplicate = runRow(namespaceId, running.workflowId);
        const stale = runRow(namespaceId, uniqueName('wf'));
        await createRun(shard, stale);
        const good = runRow(namespaceId, uniqueName('wf'));
        const goodTask = historyTask(good, 'transfer', 21);

        const outcomes = await stores.executions.writeWorkflowExecutions([
          create(shard, duplicate, [historyTask(duplicate, 'transfer', 20)]),
          create(shard, good, [goodTask]),
          {
            kind: 'update',
            request: {
              ...shard,
              execution: { ...stale, state: bytes('lost update'), dbRecordVersion: 6 },
              expectedDbRecordVersion: 5,
              tasks: [historyTask(stale, 'transfer', 22)],
            },
          },
        ]);

        expect(outcomes[0]).toBeInstanceOf(CurrentWorkflowConditionFailedError);
        expect((outcomes[0] as CurrentWorkflowConditionFailedError).current).toEqual(runningCurrent);
        expect(outcomes[1]).toBeUndefined();
        expect(outcomes[2]).toBeInstanceOf(ConcurrentUpdateError);
        expect(await getRun(shard, duplicate)).toBeUndefined();
        expect(await getRun(shard, good)).toEqual(good);
        expect(await getRun(shard, stale)).toEqual(stale);
        expect(await readImmediateTasks(shard.shardId, 'transfer')).toEqual([goodTask]);
      });

      it('stores the history batches that creates, updates and group commits carry once they are written', async () => {
        const shard = await acquireShard();
        const namespaceId = randomUUID();
        const readNodes = async (run: WorkflowExecutionRow) =>
          (
            await stores.history.readHistoryBranch({
              shardId: shard.shardId,
              branchToken: run.runId,
              minNodeId: 1,
              maxNodeId: 100,
              pageSize: 10,
            })
          ).items;
        const carried = (run: WorkflowExecutionRow, nodeId: number, txnId: number, size = 64) => ({
          branchToken: run.runId,
          node: { nodeId, txnId, events: bytes(`${nodeId}/${txnId} `.padEnd(size, '.')) },
        });
        const alone = runRow(namespaceId, uniqueName('wf'));
        const aloneCreated = carried(alone, 1, 40);
        await stores.executions.createWorkflowExecution({
          ...create(shard, alone, []).request,
          history: [aloneCreated],
        });
        const aloneUpdated = carried(alone, 3, 41);
        await stores.executions.updateWorkflowExecution({
          ...shard,
          execution: { ...alone, dbRecordVersion: 2 },
          expectedDbRecordVersion: 1,
          tasks: [],
          history: [aloneUpdated],
        });
        expect(await readNodes(alone)).toEqual([aloneCreated.node, aloneUpdated.node]);

        // Together more than one Cassandra batch may hold; the refused update's batch is not asked for.
        const grouped = [runRow(namespaceId, uniqueName('wf')), runRow(namespaceId, uniqueName('wf'))];
        const groupedHistory = grouped.map((run, i) => [carried(run, 1, 50 + i, 30_000), carried(run, 2, 50 + i)]);
        const outcomes = await stores.executions.writeWorkflowExecutions([
          ...grouped.map((run, i) => create(shard, run, [], groupedHistory[i])),
          {
            kind: 'update',
            request: {
              ...shard,
              execution: { ...alone, dbRecordVersion: 9 },
              expectedDbRecordVersion: 8,
              tasks: [],
              history: [carried(alone, 5, 52)],
            },
          },
        ]);
        expect(outcomes.slice(0, 2)).toEqual([undefined, undefined]);
        expect(outcomes[2]).toBeInstanceOf(ConcurrentUpdateError);
        for (const [i, run] of grouped.entries()) {
          expect(await readNodes(run)).toEqual(groupedHistory[i]!.map(({ node }) => node));
        }
        expect(await getRun(shard, alone)).toEqual({ ...alone, dbRecordVersion: 2 });
      });

      it('rejects a group commit on a shard whose range_id moved, writing nothing', async () => {
        const shard = await acquireShard();
        const namespaceId = randomUUID();
        const runs = [runRow(namespaceId, uniqueName('wf')), runRow(namespaceId, uniqueName('wf'))];
        const current = await stores.shards.getOrCreateShard(shard.shardId);
        await stores.shards.updateShard({ ...current, rangeId: shard.rangeId + 1, owner: 'new-owner' }, shard.rangeId);

        const error = await rejectionOf(
          stores.executions.writeWorkflowExecutions(
            runs.map((run, i) => create(shard, run, [historyTask(run, 'transfer', 30 + i)])),
          ),
        );

        expect(error).toBeInstanceOf(ShardOwnershipLostError);
        for (const run of runs) expect(await getRun(shard, run)).toBeUndefined();
        expect(await readImmediateTasks(shard.shardId, 'transfer')).toEqual([]);
      });

      it('moves the current pointer to a newExecution created in the same write', async () => {
        const shard = await acquireShard();
        const run = runRow(randomUUID(), uniqueName('wf'));
        await createRun(shard, run);
        const closed = { ...run, state: bytes('continued as new'), dbRecordVersion: 2 };
        const next = runRow(run.namespaceId, run.workflowId);
        const nextCurrent = currentRowOf(next);

        await stores.executions.updateWorkflowExecution({
          ...shard,
          execution: closed,
          expectedDbRecordVersion: 1,
          newExecution: next,
          currentRow: nextCurrent,
          tasks: [historyTask(next, 'transfer', 7)],
        });

        expect(await getRun(shard, run)).toEqual(closed);
        expect(await getRun(shard, next)).toEqual(next);
        expect(await getCurrent(shard, run)).toEqual(nextCurrent);
        expect(await readImmediateTasks(shard.shardId, 'transfer')).toEqual([historyTask(next, 'transfer', 7)]);
      });

      it('rejects a newExecution from a run that is no longer current, writing nothing', async () => {
        const shard = await acquireShard();
        const first = runRow(randomUUID(), uniqueName('wf'));
        await createRun(shard, first);
        const second = runRow(first.namespaceId, first.workflowId);
        const secondCurrent = await createRun(shard, second, [], replacing(first));
        const third = runRow(first.namespaceId, first.workflowId);

        const error = await rejectionOf(
          stores.executions.updateWorkflowExecution({
            ...shard,
            execution: { ...first, state: bytes('continued as new'), dbRecordVersion: 2 },
            expectedDbRecordVersion: 1,
            newExecution: third,
            currentRow: currentRowOf(third),
            tasks: [historyTask(third, 'transfer', 9)],
          }),
        );

        expect(error).toBeInstanceOf(CurrentWorkflowConditionFailedError);
        expect((error as CurrentWorkflowConditionFailedError).current).toEqual(secondCurrent);
        expect(await getRun(shard, first)).toEqual(first);
        expect(await getRun(shard, third)).toBeUndefined();
        expect(await getCurrent(shard, first)).toEqual(secondCurrent);
        expect(await readImmediateTasks(shard.shardId, 'transfer')).toEqual([]);
      });

      it('rejects a newExecution whose run already exists, writing nothing', async () => {
        const shard = await acquireShard();
        const older = runRow(randomUUID(), uniqueName('wf'));
        await createRun(shard, older);
        const run = runRow(older.namespaceId, older.workflowId);
        const currentRow = await createRun(shard, run, [], replacing(older));
        const collidingRun = { ...older, state: bytes('overwritten'), dbRecordVersion: 1 };

        const error = await rejectionOf(
          stores.executions.updateWorkflowExecution({
            ...shard,
            execution: { ...run, dbRecordVersion: 2 },
            expectedDbRecordVersion: 1,
            newExecution: collidingRun,
            currentRow: currentRowOf(collidingRun),
            tasks: [historyTask(run, 'transfer', 1)],
          }),
        );

        expect(error).toBeInstanceOf(PersistenceError);
        expect(await getRun(shard, older)).toEqual(older);
        expect(await getRun(shard, run)).toEqual(run);
        expect(await getCurrent(shard, run)).toEqual(currentRow);
        expect(await readImmediateTasks(shard.shardId, 'transfer')).toEqual([]);
      });

      it('deletes a run and its current row, but not the current row of another run', async () => {
        const shard = await acquireShard();
        const first = runRow(randomUUID(), uniqueName('wf'));
        await createRun(shard, first);
        const second = runRow(first.namespaceId, first.workflowId);
        const secondCurrent = await createRun(shard, second, [], replacing(first));
        const deleteRun = (rangeId: number, run: WorkflowExecutionRow) =>
          stores.executions.deleteWorkflowExecution(shard.shardId, rangeId, run.namespaceId, run.workflowId, run.runId);

        await expect(deleteRun(shard.rangeId - 1, first)).rejects.toBeInstanceOf(ShardOwnershipLostError);
        expect(await getRun(shard, first)).toEqual(first);

        await deleteRun(shard.rangeId, first);
        expect(await getRun(shard, first)).toBeUndefined();
        expect(await getCurrent(shard, first)).toEqual(secondCurrent);

        await deleteRun(shard.rangeId, second);
        expect(await getRun(shard, second)).toBeUndefined();
        expect(await getCurrent(shard, second)).toBeUndefined();
      });

      it('deletes a run that is already gone as a no-op, keeping its successor and the current row', async () => {
        const shard = await acquireShard();
        const closed = runRow(randomUUID(), uniqueName('wf'));
        await createRun(shard, closed);
        const newer = runRow(closed.namespaceId, closed.workflowId);
        const newerCurrent = await createRun(shard, newer, [], replacing(closed));
        const deleteClosed = () =>
          stores.executions.deleteWorkflowExecution(
            shard.shardId,
            shard.rangeId,
            closed.namespaceId,
            closed.workflowId,
            closed.runId,
          );

        // Retention re-runs a delete that a crash interrupted: the second one must succeed and change nothing.
        await deleteClosed();
        await deleteClosed();
        expect(await getRun(shard, closed)).toBeUndefined();
        expect(await getRun(shard, newer)).toEqual(newer);
        expect(await getCurrent(shard, newer)).toEqual(newerCurrent);
      });

      it('lists every run on the shard exactly once across pages', async () => {
        const shard = await acquireShard();
        const namespaceId = randomUUID();
        const runs = Array.from({ length: 5 }, () => runRow(namespaceId, uniqueName('wf')));
        for (const run of runs) await createRun(shard, run);
        const pageSize = 2;

        const listed = await readSeveralPages(pageSize, (token) =>
          stores.executions.listWorkflowExecutions(shard.shardId, pageSize, token),
        );
        const byRunId = (a: WorkflowExecutionRow, b: WorkflowExecutionRow) => a.runId.localeCompare(b.runId);
        expect([...listed].sort(byRunId)).toEqual([...runs].sort(byRunId));
      });
    });

    describe('history tasks', () => {
      it('reads transfer tasks in a taskId range, in order, across pages, apart from other categories', async () => {
        const shard = await acquireShard();
        const run = runRow(randomUUID(), uniqueName('wf'));
        const transfers = [6, 2, 4, 1, 5, 3].map((taskId) => historyTask(run, 'transfer', taskId));
        const visibility = historyTask(run, 'visibility', 7);
        await createRun(shard, run, [...transfers, visibility, historyTask(run, 'timer', 8, 5_000)]);
        const pageSize = 2;
        const readRange = (pageToken: PageToken) =>
          stores.executions.getHistoryTasks({
            shardId: shard.shardId,
            category: 'transfer',
            exclusiveMinTaskId: 1,
            inclusiveMaxTaskId: 5,
            pageSize,
            pageToken,
          });

        const firstPage = await readRange(undefined);
        expect(firstPage.items.map((task) => task.taskId)).toEqual([2, 3]);
        expect(hasMorePages(firstPage.nextPageToken)).toBe(true);

        const inRange = await readAllPages(pageSize, readRange);
        expect(inRange).toEqual([2, 3, 4, 5].map((taskId) => historyTask(run, 'transfer', taskId)));
        expect(await readImmediateTasks(shard.shardId, 'visibility')).toEqual([visibility]);
      });

      it('completes immediate tasks up to a task id, leaving later ones and other categories', async () => {
        const shard = await acquireShard();
        const run = runRow(randomUUID(), uniqueName('wf'));
        const visibility = historyTask(run, 'visibility', 2);
        const transfers = [1, 3, 4, 6].map((taskId) => historyTask(run, 'transfer', taskId));
        await createRun(shard, run, [...transfers, visibility]);

        await stores.executions.completeHistoryTasks({
          shardId: shard.shardId,
          category: 'transfer',
          inclusiveMaxTaskId: 4,
        });

        expect(await readImmediateTasks(shard.shardId, 'transfer')).toEqual([historyTask(run, 'transfer', 6)]);
        expect(await readImmediateTasks(shard.shardId, 'visibility')).toEqual([visibility]);
      });

      it('orders timers by fire time, then task id, bounded by (minFireTime, taskId) and maxFireTime', async () => {
        const shard = await acquireShard();
        const run = runRow(randomUUID(), uniqueName('wf'));
        const timer = (fireTime: number, taskId: number) => historyTask(run, 'timer', taskId, fireTime);
        const timers = [timer(3_000, 1), timer(1_000, 5), timer(1_000, 2), timer(2_000, 3), timer(5_000, 4)];
        await createRun(shard, run, timers);

        expect(await readTimers(shard.shardId, 3, 4_000)).toEqual([
          timer(1_000, 2),
          timer(1_000, 5),
          timer(2_000, 3),
          timer(3_000, 1),
        ]);

        const afterFirstTimer = await stores.executions.getHistoryTasks({
          shardId: shard.shardId,
          category: 'timer',
          minFireTime: 1_000,
          exclusiveMinTaskId: 2,
          maxFireTime: 3_000,
          pageSize: 10,
        });
        expect(afterFirstTimer.items).toEqual([timer(1_000, 5), timer(2_000, 3)]);
        expect(hasMorePages(afterFirstTimer.nextPageToken)).toBe(false);
      });

      it('completes timers up to (fireTime, taskId)', async () => {
        const shard = await acquireShard();
        const run = runRow(randomUUID(), uniqueName('wf'));
        const timer = (fireTime: number, taskId: number) => historyTask(run, 'timer', taskId, fireTime);
        const timers = [timer(1_000, 2), timer(1_000, 5), timer(2_000, 1), timer(2_000, 3), timer(3_000, 4)];
        await createRun(shard, run, timers);

        await stores.executions.completeHistoryTasks({
          shardId: shard.shardId,
          category: 'timer',
          inclusiveMaxFireTime: 2_000,
          inclusiveMaxTaskId: 2,
        });

        expect(await readTimers(shard.shardId)).toEqual([timer(2_000, 3), timer(3_000, 4)]);
      });

      it('keeps retention tasks apart from timers, ordered and completed by (fireTime, taskId)', async () => {
        const shard = await acquireShard();
        const run = runRow(randomUUID(), uniqueName('wf'));
        const retention = (fireTime: number, taskId: number) => historyTask(run, 'retention', taskId, fireTime);
        const timer = historyTask(run, 'timer', 1, 1_000);
        await createRun(shard, run, [timer, retention(2_000, 4), retention(1_000, 3), retention(1_000, 2)]);
        const readRetention = (maxFireTime: number) =>
          readAllPages(2, (pageToken) =>
            stores.executions.getHistoryTasks({
              shardId: shard.shardId,
              category: 'retention',
              minFireTime: 0,
              exclusiveMinTaskId: 0,
              maxFireTime,
              pageSize: 2,
              pageToken,
            }),
          );

        expect(await readRetention(Number.MAX_SAFE_INTEGER)).toEqual([
          retention(1_000, 2),
          retention(1_000, 3),
          retention(2_000, 4),
        ]);
        expect(await readRetention(2_000)).toEqual([retention(1_000, 2), retention(1_000, 3)]);
        expect(await readTimers(shard.shardId)).toEqual([timer]);

        await stores.executions.completeHistoryTasks({
          shardId: shard.shardId,
          category: 'retention',
          inclusiveMaxFireTime: 1_000,
          inclusiveMaxTaskId: 3,
        });
        expect(await readRetention(Number.MAX_SAFE_INTEGER)).toEqual([retention(2_000, 4)]);
        expect(await readTimers(shard.shardId)).toEqual([timer]);
      });

      it('writes tasks only together with a successful execution write', async () => {
        const shard = await acquireShard();
        const run = runRow(randomUUID(), uniqueName('wf'));
        await createRun(shard, run, [historyTask(run, 'transfer', 1)]);
        const update = (expectedDbRecordVersion: number, taskId: number) =>
          stores.executions.updateWorkflowExecution({
            ...shard,
            execution: { ...run, dbRecordVersion: expectedDbRecordVersion + 1 },
            expectedDbRecordVersion,
            tasks: [historyTask(run, 'transfer', taskId), historyTask(run, 'timer', taskId, 9_000)],
          });

        await expect(update(5, 2)).rejects.toBeInstanceOf(ConcurrentUpdateError);
        await update(1, 3);

        expect((await readImmediateTasks(shard.shardId, 'transfer')).map((task) => task.taskId)).toEqual([1, 3]);
        expect(await readTimers(shard.shardId)).toEqual([historyTask(run, 'timer', 3, 9_000)]);
      });
    });

    describe('resharding', () => {
      const updateMetadata = (record: ClusterMetadataRecord, expectedVersion: number) =>
        stores.clusterMetadata.updateClusterMetadata(record, expectedVersion);

      it('refuses a cluster metadata update while no record exists', async () => {
        // A shared store may hold the record from an earlier test; the in-memory store always starts empty.
        if ((await stores.clusterMetadata.getClusterMetadata()) !== undefined) return;
        await expect(updateMetadata(ClusterMetadataRecord.fromPartial({ version: 1 }), 0)).rejects.toBeInstanceOf(
          ConditionFailedError,
        );
        expect(await stores.clusterMetadata.getClusterMetadata()).toBeUndefined();
      });

      it('replaces cluster metadata only when the stored version is the expected one', async () => {
        // A record initialized without a version (as every record written before versions) is at version 0.
        const stored = await stores.clusterMetadata.initializeClusterMetadata(clusterMetadata(4));
        const { version } = stored;
        const reshard = ReshardState.fromPartial({
          fromShardCount: stored.historyShardCount,
          toShardCount: stored.historyShardCount * 2,
          splitShards: [1, 3],
          startedTime: new Date(),
          movedExecutions: 12,
        });
        const next = ClusterMetadataRecord.fromPartial({ ...stored, version: version + 1, reshard });

        for (const wrongVersion of [version + 1, version - 1]) {
          await expect(updateMetadata(next, wrongVersion)).rejects.toBeInstanceOf(ConditionFailedError);
        }
        expect(await stores.clusterMetadata.getClusterMetadata()).toEqual(stored);

        await updateMetadata(next, version);
        expect(await stores.clusterMetadata.getClusterMetadata()).toEqual(next);

        // A second writer that read the same version loses.
        const rival = ClusterMetadataRecord.fromPartial({ ...stored, version: version + 1, historyShardCount: 99 });
        await expect(updateMetadata(rival, version)).rejects.toBeInstanceOf(ConditionFailedError);
        expect(await stores.clusterMetadata.getClusterMetadata()).toEqual(next);
        // initialize still answers the stored record.
        expect(await stores.clusterMetadata.initializeClusterMetadata(clusterMetadata(8))).toEqual(next);
      });

      it('lists every current row of the shard once, in (namespaceId, workflowId) order, across pages', async () => {
        const shard = await acquireShard();
        const other = await acquireShard();
        const namespaces = [randomUUID(), randomUUID()];
        const runs = [0, 1, 0, 1, 0].map((n) => runRow(namespaces[n], uniqueName('wf')));
        const currents = new Map<string, CurrentExecutionRow>();
        for (const run of runs) currents.set(run.workflowId, await createRun(shard, run));
        // A workflow with a second run: its one current row points at the newer run.
        const rerun = runRow(runs[0].namespaceId, runs[0].workflowId);
        currents.set(rerun.workflowId, await createRun(shard, rerun, [], replacing(runs[0])));
        await createRun(other, runRow(namespaces[0], uniqueName('wf')));
        const pageSize = 2;

        const listed = await readSeveralPages(pageSize, (token) =>
          stores.executions.listCurrentExecutions(shard.shardId, pageSize, token),
        );
        const key = (row: CurrentExecutionRow) => `${row.namespaceId}/${row.workflowId}`;
        const expected = [...currents.values()].sort((a, b) => (key(a) < key(b) ? -1 : 1));
        expect(listed).toEqual(expected);
        expect(listed.find((row) => row.workflowId === rerun.workflowId)?.runId).toBe(rerun.runId);
        await expect(
          stores.executions.listCurrentExecutions(shard.shardId, pageSize, Buffer.from('["a"]')),
        ).rejects.toBeInstanceOf(InvalidPageTokenError);
      });

      it('imports rows as given, overwriting rows with the same key, with tasks of every category', async () => {
        const shard = await acquireShard();
        const existing = runRow(randomUUID(), uniqueName('wf'));
        const existingTask = historyTask(existing, 'transfer', 1);
        await createRun(shard, existing, [existingTask]);
        // The copy from the source shard is at another dbRecordVersion: an import does not condition on it.
        const movedExisting = { ...existing, state: bytes('moved state'), nextEventId: 11, dbRecordVersion: 7 };
        const moved = runRow(existing.namespaceId, uniqueName('wf'), { dbRecordVersion: 4 });
        const currentRows = [
          currentRowOf(existing, { state: ExecutionState.Completed, status: STATUS_COMPLETED, lastWriteVersion: 3 }),
          currentRowOf(moved),
        ];
        const tasks = [
          historyTask(moved, 'transfer', 5),
          historyTask(existing, 'transfer', 3),
          historyTask(moved, 'timer', 4, 2_000),
          historyTask(existing, 'timer', 6, 1_000),
          historyTask(moved, 'visibility', 7),
          historyTask(moved, 'retention', 9, 5_000),
          historyTask(existing, 'retention', 8, 3_000),
        ];
        const request = { ...shard, executions: [movedExisting, moved], currentRows, tasks };

        await stores.executions.importExecutions(request);
        // A caller that failed half-way repeats the whole request.
        await stores.executions.importExecutions(request);

        expect(await getRun(shard, existing)).toEqual(movedExisting);
        expect(await getRun(shard, moved)).toEqual(moved);
        expect(await getCurrent(shard, existing)).toEqual(currentRows[0]);
        expect(await getCurrent(shard, moved)).toEqual(currentRows[1]);
        expect(await tasksOf(shard.shardId)).toEqual({
          transfer: [existingTask, tasks[1], tasks[0]],
          timer: [tasks[3], tasks[2]],
          visibility: [tasks[4]],
          retention: [tasks[6], tasks[5]],
        });
      });

      it('imports a request too large for one write completely', async () => {
        const shard = await acquireShard();
        const namespaceId = randomUUID();
        const run = (index: number, stateBytes: number) =>
          runRow(namespaceId, uniqueName('wf'), { state: new Uint8Array(stateBytes).fill(index % 256) });
        // 250 runs of 1 KiB state and 17 of 1 MiB: more than Cassandra takes in one write (max_mutation_size, 16 MiB).
        const runs = [
          ...Array.from({ length: 250 }, (_, index) => run(index, 1024)),
          ...Array.from({ length: 17 }, (_, index) => run(index, 1 << 20)),
        ];
        const tasks = runs.map((row, index) => historyTask(row, 'timer', index + 1, 1_000 + index));

        await stores.executions.importExecutions({
          ...shard,
          executions: runs,
          currentRows: runs.map((row) => currentRowOf(row)),
          tasks,
        });

        // Compared by digest: jest compares a megabyte array element by element, for minutes.
        const digest = (row: WorkflowExecutionRow) => ({
          ...row,
          state: createHash('sha256').update(row.state).digest('hex'),
        });
        const byRunId = (a: { runId: string }, b: { runId: string }) => a.runId.localeCompare(b.runId);
        const listed = await readAllPages(50, (token) =>
          stores.executions.listWorkflowExecutions(shard.shardId, 50, token),
        );
        expect(listed.map(digest).sort(byRunId)).toEqual(runs.map(digest).sort(byRunId));
        const currents = await readAllPages(100, (token) =>
          stores.executions.listCurrentExecutions(shard.shardId, 100, token),
        );
        expect(currents).toHaveLength(runs.length);
        expect(await readTimers(shard.shardId)).toEqual(tasks);
      });

      it('imports nothing with a stale range id', async () => {
        const shard = await acquireShard();
        const run = runRow(randomUUID(), uniqueName('wf'));
        // Enough tasks for several batches: the first one is refused, so none is written.
        const tasks = Array.from({ length: 150 }, (_, index) =>
          historyTask(run, ALL_CATEGORIES[index % 4], index + 1, 1_000 * (index + 1)),
        );
        const request = { executions: [run], currentRows: [currentRowOf(run)], tasks };

        const error = await rejectionOf(
          stores.executions.importExecutions({ ...shard, rangeId: shard.rangeId - 1, ...request }),
        );
        expect(error).toBeInstanceOf(ShardOwnershipLostError);
        expect(error).toMatchObject({ expectedRangeId: shard.rangeId - 1, actualRangeId: shard.rangeId });
        await expect(
          stores.executions.importExecutions({ ...shard, rangeId: shard.rangeId + 1, ...request }),
        ).rejects.toBeInstanceOf(ShardOwnershipLostError);
        await expect(
          stores.executions.importExecutions({
            ...shard,
            rangeId: shard.rangeId + 1,
            executions: [],
            currentRows: [],
            tasks: [],
          }),
        ).rejects.toBeInstanceOf(ShardOwnershipLostError);

        expect(await getRun(shard, run)).toBeUndefined();
        expect(await getCurrent(shard, run)).toBeUndefined();
        expect(await tasksOf(shard.shardId)).toEqual(NO_TASKS);
      });

      it('deletes exactly the given tasks: by category and task id, timers by fire time and task id', async () => {
        const shard = await acquireShard();
        const run = runRow(randomUUID(), uniqueName('wf'));
        const task = (category: HistoryTaskCategory, taskId: number, fireTime = 0) =>
          historyTask(run, category, taskId, fireTime);
        await createRun(shard, run, [
          task('transfer', 1),
          task('transfer', 2),
          task('transfer', 3),
          task('visibility', 2),
          task('timer', 5, 1_000),
          task('timer', 7, 1_000),
          task('timer', 6, 2_000),
          task('retention', 8, 1_000),
          task('retention', 9, 3_000),
        ]);
        const keys = [
          { category: 'transfer' as const, taskId: 2, fireTime: 0 },
          { category: 'timer' as const, taskId: 5, fireTime: 1_000 },
          // The timer with task id 6 fires at 2_000: this key names no task.
          { category: 'timer' as const, taskId: 6, fireTime: 1_000 },
          { category: 'transfer' as const, taskId: 99, fireTime: 0 },
          { category: 'retention' as const, taskId: 9, fireTime: 3_000 },
        ];

        await expect(
          stores.executions.deleteHistoryTasks(shard.shardId, shard.rangeId - 1, keys),
        ).rejects.toBeInstanceOf(ShardOwnershipLostError);
        expect((await tasksOf(shard.shardId)).transfer).toHaveLength(3);

        await stores.executions.deleteHistoryTasks(shard.shardId, shard.rangeId, keys);

        expect(await tasksOf(shard.shardId)).toEqual({
          transfer: [task('transfer', 1), task('transfer', 3)],
          timer: [task('timer', 7, 1_000), task('timer', 6, 2_000)],
          visibility: [task('visibility', 2)],
          retention: [task('retention', 8, 1_000)],
        });
      });

      it('purges every execution, current and task row of the shard, keeping the shard row and other shards', async () => {
        const shard = await acquireShard();
        const other = await acquireShard();
        const shardRow = await stores.shards.getOrCreateShard(shard.shardId);
        const run = runRow(randomUUID(), uniqueName('wf'));
        const tasks = ALL_CATEGORIES.map((category, index) =>
          historyTask(run, category, index + 1, isScheduledCategory(category) ? 1_000 : 0),
        );
        await createRun(shard, run, tasks);
        const rerun = runRow(run.namespaceId, run.workflowId);
        await createRun(shard, rerun, [], replacing(run));
        const otherRun = runRow(run.namespaceId, uniqueName('wf'));
        const otherCurrent = await createRun(other, otherRun, tasks);
        const branchToken = uniqueName('branch');
        const node = { nodeId: 1, txnId: 1, events: bytes('events') };
        await stores.history.appendHistoryNode(shard.shardId, branchToken, node);

        const stale = await rejectionOf(stores.executions.purgeShard(shard.shardId, shard.rangeId - 1));
        expect(stale).toBeInstanceOf(ShardOwnershipLostError);
        expect(stale).toMatchObject({ expectedRangeId: shard.rangeId - 1, actualRangeId: shard.rangeId });
        expect(await getRun(shard, run)).toEqual(run);

        await stores.executions.purgeShard(shard.shardId, shard.rangeId);

        expect(await stores.executions.listWorkflowExecutions(shard.shardId, 10, undefined)).toEqual({
          items: [],
          nextPageToken: undefined,
        });
        expect(await stores.executions.listCurrentExecutions(shard.shardId, 10, undefined)).toEqual({
          items: [],
          nextPageToken: undefined,
        });
        expect(await tasksOf(shard.shardId)).toEqual(NO_TASKS);
        expect(await stores.shards.getOrCreateShard(shard.shardId)).toEqual(shardRow);
        const history = await stores.history.readHistoryBranch({
          shardId: shard.shardId,
          branchToken,
          minNodeId: 1,
          maxNodeId: 10,
          pageSize: 10,
        });
        expect(history.items).toEqual([node]);
        expect(await getRun(other, otherRun)).toEqual(otherRun);
        expect(await getCurrent(other, otherRun)).toEqual(otherCurrent);
        expect(await tasksOf(other.shardId)).toEqual({
          transfer: [tasks[0]],
          timer: [tasks[1]],
          visibility: [tasks[2]],
          retention: [tasks[3]],
        });

        // The purged shard takes rows again at once: an import, and a brand-new run of the same workflow id.
        await stores.executions.importExecutions({ ...shard, executions: [run], currentRows: [], tasks: [tasks[0]] });
        expect(await getRun(shard, run)).toEqual(run);
        expect((await tasksOf(shard.shardId)).transfer).toEqual([tasks[0]]);
        const fresh = runRow(run.namespaceId, run.workflowId);
        const freshCurrent = await createRun(shard, fresh);
        expect(await getCurrent(shard, fresh)).toEqual(freshCurrent);
      });

      it('deletes the current row pointing at a run whose run row is absent', async () => {
        const shard = await acquireShard();
        const run = runRow(randomUUID(), uniqueName('wf'));
        const otherCurrent = currentRowOf(runRow(run.namespaceId, uniqueName('wf')));
        // A reshard that copied the current rows but not yet the run leaves such a pointer.
        await stores.executions.importExecutions({
          ...shard,
          executions: [],
          currentRows: [currentRowOf(run), otherCurrent],
          tasks: [],
        });
        expect(await getRun(shard, run)).toBeUndefined();

        await stores.executions.deleteWorkflowExecution(
          shard.shardId,
          shard.rangeId,
          run.namespaceId,
          run.workflowId,
          run.runId,
        );

        expect(await getCurrent(shard, run)).toBeUndefined();
        expect(
          await stores.executions.getCurrentExecution(shard.shardId, run.namespaceId, otherCurrent.workflowId),
        ).toEqual(otherCurrent);
      });
    });

    describe('history branches', () => {
      const node = (nodeId: number, txnId: number): HistoryNode => ({
        nodeId,
        txnId,
        events: bytes(`events of node ${nodeId} at txn ${txnId}`),
      });

      async function appendNodes(shardId: number, branchToken: string, nodes: HistoryNode[]): Promise<void> {
        for (const appended of nodes) await stores.history.appendHistoryNode(shardId, branchToken, appended);
      }

      function readBranch(
        shardId: number,
        branchToken: string,
        range: { minNodeId: number; maxNodeId: number; pageSize: number },
        direction: 'forward' | 'reverse' = 'forward',
      ): Promise<HistoryNode[]> {
        return readAllPages(range.pageSize, (pageToken) => {
          const request = { shardId, branchToken, ...range, pageToken };
          return direction === 'forward'
            ? stores.history.readHistoryBranch(request)
            : stores.history.readHistoryBranchReverse(request);
        });
      }

      it('reads appended batches in nodeId order, within [minNodeId, maxNodeId), across pages', async () => {
        const shardId = randomShardId();
        const branchToken = randomUUID();
        await appendNodes(shardId, branchToken, [node(1, 10), node(3, 11), node(6, 12), node(9, 13)]);

        const firstPage = await stores.history.readHistoryBranch({
          shardId,
          branchToken,
          minNodeId: 1,
          maxNodeId: 9,
          pageSize: 2,
        });
        expect(firstPage.items).toEqual([node(1, 10), node(3, 11)]);
        expect(hasMorePages(firstPage.nextPageToken)).toBe(true);

        expect(await readBranch(shardId, branchToken, { minNodeId: 1, maxNodeId: 9, pageSize: 2 })).toEqual([
          node(1, 10),
          node(3, 11),
          node(6, 12),
        ]);
        expect(await readBranch(shardId, branchToken, { minNodeId: 3, maxNodeId: 100, pageSize: 10 })).toEqual([
          node(3, 11),
          node(6, 12),
          node(9, 13),
        ]);
        expect(await readBranch(shardId, randomUUID(), { minNodeId: 1, maxNodeId: 100, pageSize: 10 })).toEqual([]);
      });

      it('returns only the highest txnId of each nodeId, and appends idempotently', async () => {
        const shardId = randomShardId();
        const branchToken = randomUUID();
        // node 3 at txn 15 arrives after txn 20 and must not win; the second txn 20 repeats an append.
        const appended = [node(1, 10), node(3, 11), node(3, 20), node(3, 15), node(3, 20), node(5, 21)];
        await appendNodes(shardId, branchToken, appended);

        expect(await readBranch(shardId, branchToken, { minNodeId: 1, maxNodeId: 100, pageSize: 1 })).toEqual([
          node(1, 10),
          node(3, 20),
          node(5, 21),
        ]);
      });

      it('reads newest batch first in reverse, across pages', async () => {
        const shardId = randomShardId();
        const branchToken = randomUUID();
        await appendNodes(shardId, branchToken, [node(1, 10), node(3, 11), node(3, 14), node(6, 12), node(9, 13)]);

        const firstPage = await stores.history.readHistoryBranchReverse({
          shardId,
          branchToken,
          minNodeId: 1,
          maxNodeId: 9,
          pageSize: 2,
        });
        expect(firstPage.items).toEqual([node(6, 12), node(3, 14)]);
        expect(hasMorePages(firstPage.nextPageToken)).toBe(true);

        expect(await readBranch(shardId, branchToken, { minNodeId: 1, maxNodeId: 9, pageSize: 2 }, 'reverse')).toEqual([
          node(6, 12),
          node(3, 14),
          node(1, 10),
        ]);
      });

      it('deletes a branch without touching others', async () => {
        const shardId = randomShardId();
        const deleted = randomUUID();
        const kept = randomUUID();
        await appendNodes(shardId, deleted, [node(1, 10), node(4, 11)]);
        await appendNodes(shardId, kept, [node(1, 12)]);

        await stores.history.deleteHistoryBranch(shardId, deleted);
        // A second delete (a retention task re-run after a crash) is a no-op.
        await stores.history.deleteHistoryBranch(shardId, deleted);

        const everything = { minNodeId: 1, maxNodeId: 100, pageSize: 10 };
        expect(await readBranch(shardId, deleted, everything)).toEqual([]);
        expect(await readBranch(shardId, kept, everything)).toEqual([node(1, 12)]);
      });
    });

    describe('task queues', () => {
      const queueKey = (): TaskQueueKey => ({
        namespaceId: randomUUID(),
        name: uniqueName('queue'),
        taskType: TASK_QUEUE_TYPE_WORKFLOW,
      });
      const task = (taskId: number): TaskQueueTask => ({ taskId, expiryTime: 0, data: bytes(`task ${taskId}`) });

      /** A queue leased at range_id 1, as a matching host holds it. */
      async function leaseQueue(key: TaskQueueKey): Promise<number> {
        const created = await stores.taskQueues.getOrCreateTaskQueue(key);
        await stores.taskQueues.updateTaskQueue({ ...created, rangeId: created.rangeId + 1 }, created.rangeId);
        return created.rangeId + 1;
      }

      it('creates an absent queue at range_id 0 and ack level 0, then returns the stored one', async () => {
        const key = queueKey();
        const created = await stores.taskQueues.getOrCreateTaskQueue(key);
        expect(created).toMatchObject({ key, rangeId: 0, ackLevel: 0 });
        expect(await stores.taskQueues.getOrCreateTaskQueue(key)).toEqual(created);
      });

      it('updates the lease only with the current range_id, else TaskQueueLeaseLostError', async () => {
        const key = queueKey();
        const created = await stores.taskQueues.getOrCreateTaskQueue(key);
        const leased = { key, rangeId: 1, ackLevel: 5, expiryTime: 0, data: bytes('metadata') };

        await stores.taskQueues.updateTaskQueue(leased, 0);
        expect(await stores.taskQueues.getOrCreateTaskQueue(key)).toEqual(leased);

        await expect(
          stores.taskQueues.updateTaskQueue({ ...created, rangeId: 1, ackLevel: 99 }, 0),
        ).rejects.toBeInstanceOf(TaskQueueLeaseLostError);
        expect(await stores.taskQueues.getOrCreateTaskQueue(key)).toEqual(leased);
      });

      it('rejects createTasks under a stale range_id, writing nothing', async () => {
        const key = queueKey();
        const rangeId = await leaseQueue(key);

        await expect(stores.taskQueues.createTasks(key, rangeId - 1, [task(1)])).rejects.toBeInstanceOf(
          TaskQueueLeaseLostError,
        );
        await stores.taskQueues.createTasks(key, rangeId, [task(2)]);

        expect(await stores.taskQueues.getTasks(key, 0, Number.MAX_SAFE_INTEGER, 10)).toEqual([task(2)]);
      });

      it('reads tasks in a taskId range, in order, at most pageSize, and completes up to a task id', async () => {
        const key = queueKey();
        const rangeId = await leaseQueue(key);
        await stores.taskQueues.createTasks(key, rangeId, [5, 1, 4, 2, 3, 6].map(task));

        expect(await stores.taskQueues.getTasks(key, 1, 5, 10)).toEqual([2, 3, 4, 5].map(task));
        expect(await stores.taskQueues.getTasks(key, 1, 5, 2)).toEqual([2, 3].map(task));
        expect(await stores.taskQueues.getTasks(queueKey(), 0, 100, 10)).toEqual([]);

        await stores.taskQueues.completeTasks(key, 3);
        expect(await stores.taskQueues.getTasks(key, 0, 100, 10)).toEqual([4, 5, 6].map(task));
      });

      it('deletes a queue and its tasks only under the current range_id', async () => {
        const key = queueKey();
        const rangeId = await leaseQueue(key);
        await stores.taskQueues.createTasks(key, rangeId, [task(1), task(2)]);

        await expect(stores.taskQueues.deleteTaskQueue(key, rangeId - 1)).rejects.toBeInstanceOf(
          TaskQueueLeaseLostError,
        );
        expect(await stores.taskQueues.getTasks(key, 0, 100, 10)).toEqual([task(1), task(2)]);

        await stores.taskQueues.deleteTaskQueue(key, rangeId);
        expect(await stores.taskQueues.getTasks(key, 0, 100, 10)).toEqual([]);
        expect(await stores.taskQueues.getOrCreateTaskQueue(key)).toMatchObject({ rangeId: 0, ackLevel: 0 });
      });
    });
  });
}

/**
 * What a store that several processes share must also do: honour conditions on state that another handle (another
 * process) wrote. Every call of `open` must return a handle onto the same data.
 */
export function describeSharedStoreContract(storeName: string, open: () => Promise<PersistenceStores>): void {
  describe(`shared store contract: ${storeName}`, () => {
    it("rejects a stale shard owner's execution write made through another handle, writing nothing", async () => {
      const oldOwner = await open();
      const newOwner = await open();
      try {
        const shard = await oldOwner.shards.getOrCreateShard(randomShardId());
        const oldRangeId = shard.rangeId + 1;
        await oldOwner.shards.updateShard({ ...shard, rangeId: oldRangeId, owner: 'old' }, shard.rangeId);
        await newOwner.shards.updateShard({ ...shard, rangeId: oldRangeId + 1, owner: 'new' }, oldRangeId);

        const run = runRow(randomUUID(), uniqueName('wf'));
        const error = await rejectionOf(
          oldOwner.executions.createWorkflowExecution({
            shardId: shard.shardId,
            rangeId: oldRangeId,
            current: { kind: 'brand-new' },
            execution: run,
            currentRow: currentRowOf(run),
            tasks: [historyTask(run, 'transfer', 1)],
          }),
        );

        expect(error).toBeInstanceOf(ShardOwnershipLostError);
        expect(error).toMatchObject({ expectedRangeId: oldRangeId, actualRangeId: oldRangeId + 1 });
        const { shardId } = shard;
        expect(
          await newOwner.executions.getWorkflowExecution(shardId, run.namespaceId, run.workflowId, run.runId),
        ).toBeUndefined();
        expect(await newOwner.executions.getCurrentExecution(shardId, run.namespaceId, run.workflowId)).toBeUndefined();
        const tasks = await newOwner.executions.getHistoryTasks({
          shardId,
          category: 'transfer',
          ...ALL_TASK_IDS,
          pageSize: 10,
        });
        expect(tasks.items).toEqual([]);
      } finally {
        await oldOwner.close();
        await newOwner.close();
      }
    });
  });
}

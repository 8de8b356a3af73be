// Group commit against a real store: writes that meet in flight share one writeWorkflowExecutions call, each keeps
// its own outcome, two writes of one workflow id never share a group, and the limits bound a group.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  ConcurrentUpdateError,
  ShardOwnershipLostError,
  openSqliteStores,
  type ExecutionStore,
  type ExecutionWrite,
  type PersistenceStores,
  type WorkflowExecutionRow,
} from '@tempora/persistence';
import { ShardWriteGroups, type GroupCommitLimits } from './group-commit.js';

const SHARD_ID = 3;
const namespaceId = randomUUID();

describe('group commit', () => {
  let stores: PersistenceStores;
  let rangeId: number;
  /** The writes of every store call, by kind: 'group' (writeWorkflowExecutions) or 'alone'. */
  let calls: { kind: 'group' | 'alone'; workflowIds: string[] }[];
  let executions: ExecutionStore;

  beforeEach(async () => {
    stores = openSqliteStores();
    const shard = await stores.shards.getOrCreateShard(SHARD_ID);
    rangeId = shard.rangeId + 1;
    await stores.shards.updateShard({ ...shard, rangeId, owner: 'group-commit-test' }, shard.rangeId);
    calls = [];
    const store = stores.executions;
    executions = Object.assign(Object.create(store) as ExecutionStore, {
      writeWorkflowExecutions: (writes: ExecutionWrite[]) => {
        calls.push({ kind: 'group', workflowIds: writes.map((w) => w.request.execution.workflowId) });
        return store.writeWorkflowExecutions(writes);
      },
      createWorkflowExecution: (request: Extract<ExecutionWrite, { kind: 'create' }>['request']) => {
        calls.push({ kind: 'alone', workflowIds: [request.execution.workflowId] });
        return store.createWorkflowExecution(request);
      },
      updateWorkflowExecution: (request: Extract<ExecutionWrite, { kind: 'update' }>['request']) => {
        calls.push({ kind: 'alone', workflowIds: [request.execution.workflowId] });
        return store.updateWorkflowExecution(request);
      },
    });
  });

  afterEach(async () => {
    await stores.close();
  });

  const run = (workflowId: string, stateBytes = 10): WorkflowExecutionRow => ({
    namespaceId,
    workflowId,
    runId: randomUUID(),
    state: new Uint8Array(stateBytes),
    nextEventId: 3,
    dbRecordVersion: 1,
  });
  const create = (execution: WorkflowExecutionRow, range = rangeId): ExecutionWrite => ({
    kind: 'create',
    request: {
      shardId: SHARD_ID,
      rangeId: range,
      current: { kind: 'brand-new' },
      execution,
      currentRow: {
        namespaceId,
        workflowId: execution.workflowId,
        runId: execution.runId,
        createRequestId: randomUUID(),
        state: 1,
        status: 1,
        startTime: 0,
        lastWriteVersion: 0,
      },
      tasks: [],
    },
  });
  const update = (execution: WorkflowExecutionRow, expectedDbRecordVersion: number): ExecutionWrite => ({
    kind: 'update',
    request: {
      shardId: SHARD_ID,
      rangeId,
      execution: { ...execution, dbRecordVersion: expectedDbRecordVersion + 1 },
      expectedDbRecordVersion,
      tasks: [],
    },
  });
  const stored = (execution: WorkflowExecutionRow) =>
    stores.executions.getWorkflowExecution(SHARD_ID, namespaceId, execution.workflowId, execution.runId);
  const groups = (limits: GroupCommitLimits = { maxWrites: 32, maxBytes: 32 * 1024 }, sizes?: number[]) =>
    new ShardWriteGroups(executions, limits, (size) => sizes?.push(size));

  it('writes a lone write alone, and the writes of one turn as one group', async () => {
    const sizes: number[] = [];
    const writer = groups(undefined, sizes);
    const first = run('alone');
    await writer.write(create(first));
    const runs = ['a', 'b', 'c', 'd'].map((id) => run(id));
    await Promise.all(runs.map((r) => writer.write(create(r))));

    expect(calls).toEqual([
      { kind: 'alone', workflowIds: ['alone'] },
      { kind: 'group', workflowIds: ['a', 'b', 'c', 'd'] },
    ]);
    expect(sizes).toEqual([1, 4]);
    for (const r of [first, ...runs]) expect(await stored(r)).toEqual(r);
  });

  it('fails only the write whose own condition fails', async () => {
    const writer = groups();
    const existing = run('existing');
    await writer.write(create(existing));
    const fresh = run('fresh');

    const outcomes = await Promise.allSettled([writer.write(update(existing, 7)), writer.write(create(fresh))]);

    expect(outcomes[0]).toMatchObject({ status: 'rejected', reason: expect.any(ConcurrentUpdateError) });
    expect(outcomes[1]).toEqual({ status: 'fulfilled', value: undefined });
    expect(await stored(existing)).toEqual(existing);
    expect(await stored(fresh)).toEqual(fresh);
  });

  it('never puts two writes of one workflow id in one group, keeping their order', async () => {
    const writer = groups();
    const first = run('same');
    const other = run('other');
    await writer.write(create(first));
    calls = [];

    await Promise.all([writer.write(update(first, 1)), writer.write(create(other)), writer.write(update(first, 2))]);

    expect(calls).toEqual([
      { kind: 'group', workflowIds: ['same', 'other'] },
      { kind: 'alone', workflowIds: ['same'] },
    ]);
    expect(await stored(first)).toMatchObject({ dbRecordVersion: 3 });
  });

  it('bounds a group by maxWrites and maxBytes', async () => {
    const byCount = groups({ maxWrites: 2, maxBytes: 1 << 20 });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => byCount.write(create(run(id)))));
    expect(calls.map((c) => c.workflowIds.length)).toEqual([2, 2, 1]);

    calls = [];
    const byBytes = groups({ maxWrites: 32, maxBytes: 250 });
    await Promise.all(['f', 'g', 'h', 'i'].map((id) => byBytes.write(create(run(id, 100)))));
    expect(calls.map((c) => c.workflowIds.length)).toEqual([2, 2]);
    // A write over the byte bound still goes, alone.
    calls = [];
    await byBytes.write(create(run('big', 1000)));
    expect(calls).toEqual([{ kind: 'alone', workflowIds: ['big'] }]);
  });

  it('rejects every write of a group on a shard whose range id moved, writing none', async () => {
    const writer = groups();
    const runs = [run('x'), run('y')];
    const outcomes = await Promise.allSettled(runs.map((r) => writer.write(create(r, rangeId - 1))));

    for (const outcome of outcomes)
      expect(outcome).toMatchObject({ status: 'rejected', reason: expect.any(ShardOwnershipLostError) });
    for (const r of runs) expect(await stored(r)).toBeUndefined();
  });
});

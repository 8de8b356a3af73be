// Retention against a real store: closing a run writes a retention task at close time + retention, and the
// retention queue deletes the run, its branch and its current pointer (only while it points at the run), records
// the visibility delete, and never deletes a running run.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createLogger } from '@tempora/common';
import { openSqliteStores, type HistoryTask, type PersistenceStores } from '@tempora/persistence';
import { EventType, WorkflowExecutionStatus } from '@tempora/proto/enums';
import { TimerTaskBody, VisibilityTaskBody, VisibilityTaskKind } from '@tempora/proto/persistence';
import { EventNotifier } from '../event-notifier.js';
import { ExecutionManager, type RunKey } from '../execution-manager.js';
import { newMutableState } from '../mutable-state.js';
import { Shard } from '../shard.js';
import { DeletionPacer, retentionExecutor } from './retention-executor.js';
import { TimerQueue } from './timer-queue.js';

const logger = createLogger('silent');
const RETENTION_MS = 300;
const { WORKFLOW_EXECUTION_STATUS_RUNNING: RUNNING, WORKFLOW_EXECUTION_STATUS_COMPLETED: COMPLETED } =
  WorkflowExecutionStatus;

describe('retention', () => {
  let stores: PersistenceStores;
  let shard: Shard;
  let executions: ExecutionManager;
  let queue: TimerQueue | undefined;
  const namespaceId = randomUUID();

  beforeEach(async () => {
    stores = openSqliteStores();
    shard = await Shard.acquire(1, stores, logger, `test-${randomUUID()}`);
    const listener = {
      tasksCommitted: (written: readonly HistoryTask[]) =>
        queue?.record(written.filter((task) => task.category === 'retention')),
      writeOutcomeUnknown: () => queue?.readStoreAgain(),
      transferTasksWritten: () => {},
      timerTasksWritten: () => {},
      retentionTasksWritten: (t: number) => queue?.notify(t),
      visibilityTasksWritten: () => {},
    };
    const retentionOf = (id: string) => Promise.resolve(id === namespaceId ? RETENTION_MS : undefined);
    executions = new ExecutionManager(shard, stores, new EventNotifier(), listener, logger, undefined, retentionOf);
  });

  afterEach(async () => {
    queue?.stop();
    queue = undefined;
    await stores.close();
  });

  const tasks = async (category: 'retention' | 'timer') =>
    (
      await stores.executions.getHistoryTasks({
        shardId: 1,
        category,
        minFireTime: 0,
        exclusiveMinTaskId: 0,
        maxFireTime: Number.MAX_SAFE_INTEGER,
        pageSize: 100,
      })
    ).items;

  async function startRun(workflowId = `wf-${randomUUID()}`, previousRunId?: string): Promise<RunKey> {
    const key = { namespaceId, workflowId, runId: randomUUID() };
    const ms = newMutableState({ ...key, workflowType: 'W', taskQueue: 'q', status: RUNNING, startTime: new Date() });
    ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, {
      workflowExecutionStartedEventAttributes: { workflowType: { name: 'W' } },
    });
    await executions.create(ms, previousRunId ? { kind: 'replace-current', previousRunId } : { kind: 'brand-new' });
    return key;
  }

  const complete = (key: RunKey) =>
    executions.update(key, (ms) => {
      ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, { workflowExecutionCompletedEventAttributes: {} });
      ms.setStatus(COMPLETED);
      return ms.info.closeTime!.getTime();
    });

  /** Runs the shard's retention queue; the answer resolves once the executor has finished the run's task. */
  function startRetentionQueue(pacer = new DeletionPacer(0)): (runId: string) => Promise<void> {
    const finished = new Map<string, { promise: Promise<void>; resolve: () => void }>();
    const entry = (runId: string) => {
      let found = finished.get(runId);
      if (!found) {
        let resolve = () => {};
        const promise = new Promise<void>((r) => (resolve = r));
        found = { promise, resolve };
        finished.set(runId, found);
      }
      return found;
    };
    const execute = retentionExecutor(executions, pacer);
    queue = new TimerQueue(
      shard,
      stores,
      async (task: HistoryTask) => {
        await execute(task);
        entry(task.runId).resolve();
      },
      logger,
      'retention',
    );
    queue.start();
    return (runId) => entry(runId).promise;
  }

  it('writes a retention task at close time + retention, apart from the timers', async () => {
    const run = await startRun();
    expect(await tasks('retention')).toEqual([]);

    const closeTime = await complete(run);

    const [task, ...rest] = await tasks('retention');
    expect(rest).toEqual([]);
    expect(task).toMatchObject({ ...run, category: 'retention', fireTime: closeTime + RETENTION_MS });
    expect(TimerTaskBody.decode(task!.data).deleteHistoryEvent).toEqual({});
    expect(await tasks('timer')).toEqual([]);
  });

  it('deletes the closed run, its branch and its visibility record, keeping the newer run current', async () => {
    const deleted = startRetentionQueue();
    const old = await startRun();
    await complete(old);
    const newer = await startRun(old.workflowId, old.runId);

    await deleted(old.runId);

    expect(await stores.executions.getWorkflowExecution(1, namespaceId, old.workflowId, old.runId)).toBeUndefined();
    const branch = await stores.history.readHistoryBranch({
      shardId: 1,
      branchToken: old.runId,
      minNodeId: 1,
      maxNodeId: 1000,
      pageSize: 100,
    });
    expect(branch.items).toEqual([]);
    expect((await stores.executions.getCurrentExecution(1, namespaceId, old.workflowId))?.runId).toBe(newer.runId);
    expect(await stores.executions.getWorkflowExecution(1, namespaceId, newer.workflowId, newer.runId)).toBeDefined();
    const visibility = (
      await stores.executions.getHistoryTasks({
        shardId: 1,
        category: 'visibility',
        exclusiveMinTaskId: 0,
        inclusiveMaxTaskId: Number.MAX_SAFE_INTEGER,
        pageSize: 100,
      })
    ).items.filter((t) => t.runId === old.runId);
    expect(visibility.map((t) => VisibilityTaskBody.decode(t.data).kind)).toContain(
      VisibilityTaskKind.VISIBILITY_TASK_KIND_DELETE,
    );
  });

  it('spreads a wave of deletions at the configured rate', async () => {
    const deleted = startRetentionQueue(new DeletionPacer(20));
    const runs = await Promise.all(Array.from({ length: 10 }, () => startRun()));
    await Promise.all(runs.map(complete));

    const times = await Promise.all(runs.map((run) => deleted(run.runId).then(() => Date.now())));

    // 10 slots 50 ms apart start 450 ms apart; each delete's own duration varies, so allow some of it. Unpaced,
    // the ten would run at once.
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(350);
    for (const run of runs) {
      expect(await stores.executions.getWorkflowExecution(1, namespaceId, run.workflowId, run.runId)).toBeUndefined();
    }
  });

  it('deletes the current pointer with the last run, and a repeated task is a no-op', async () => {
    const run = await startRun();
    await complete(run);
    const [task] = await tasks('retention');
    const execute = retentionExecutor(executions, new DeletionPacer(0));

    await execute(task!);
    await execute(task!);

    expect(await stores.executions.getCurrentExecution(1, namespaceId, run.workflowId)).toBeUndefined();
    expect(await stores.executions.getWorkflowExecution(1, namespaceId, run.workflowId, run.runId)).toBeUndefined();
  });

  it('never deletes a running run', async () => {
    const run = await startRun();
    const execute = retentionExecutor(executions, new DeletionPacer(0));
    const task: HistoryTask = { category: 'retention', taskId: 1, fireTime: 1, data: new Uint8Array(), ...run };

    await execute(task);

    expect(await stores.executions.getWorkflowExecution(1, namespaceId, run.workflowId, run.runId)).toBeDefined();
  });

  it('paces deletes: evenly spaced slots at the configured rate', async () => {
    const pacer = new DeletionPacer(20);
    const started = Date.now();
    const times: number[] = [];
    await Promise.all(Array.from({ length: 5 }, () => pacer.take().then(() => times.push(Date.now() - started))));
    // Slots at 0, 50, 100, 150, 200 ms (timers may fire a little late, never early).
    expect(times[0]).toBeLessThan(50);
    expect(times[4]).toBeGreaterThanOrEqual(195);
  });
});

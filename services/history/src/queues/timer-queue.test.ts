// The timer queue's look-ahead against a real store: once one read has caught up, the timers this host's commits hand
// over fire from memory; the store is read again on overflow, after a write of unknown outcome and by a new owner.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createLogger } from '@tempora/common';
import { ExecutionState, openSqliteStores, type HistoryTask, type PersistenceStores } from '@tempora/persistence';
import { EventType, WorkflowExecutionStatus } from '@tempora/proto/enums';
import { EventNotifier } from '../event-notifier.js';
import { ExecutionManager } from '../execution-manager.js';
import { newMutableState } from '../mutable-state.js';
import { Shard } from '../shard.js';
import { collectingExecutor } from '../test-support.js';
import { TimerQueue, type TimerQueueLimits } from './timer-queue.js';

const logger = createLogger('silent');
const LIMITS: TimerQueueLimits = { pageSize: 100, maxInMemory: 1_000, lookAheadMs: 300_000, ackIntervalMs: 200 };

describe('timer queue', () => {
  let stores: PersistenceStores;
  const queues: TimerQueue[] = [];

  beforeEach(() => {
    stores = openSqliteStores();
  });

  afterEach(async () => {
    for (const queue of queues.splice(0)) queue.stop();
    await stores.close();
  });

  /** The stores with every timer read counted; `gate` (when set) holds a read's answer until it resolves. */
  function countingStores() {
    const state = { reads: 0, gate: undefined as Promise<void> | undefined };
    const executions = Object.create(stores.executions) as PersistenceStores['executions'];
    executions.getHistoryTasks = async (request) => {
      if (request.category === 'timer') state.reads++;
      const page = await stores.executions.getHistoryTasks(request);
      if (state.gate) await state.gate;
      return page;
    };
    return { stores: { ...stores, executions }, state };
  }

  /**
   * A shard with its execution manager wired to a timer queue the way the shard controller wires them; the queue's
   * executor collects the timers it ran, and `ran(n)` resolves once n have run.
   */
  async function harness(queueStores: PersistenceStores = stores, limits = LIMITS, owner = 'host-a') {
    const shard = await Shard.acquire(1, stores, logger, owner);
    const { executed, execute, ran } = collectingExecutor();
    const queue = new TimerQueue(shard, queueStores, execute, logger, 'timer', limits);
    queues.push(queue);
    const listener = {
      tasksCommitted: (tasks: readonly HistoryTask[]) => queue.record(tasks.filter((t) => t.category === 'timer')),
      writeOutcomeUnknown: () => queue.readStoreAgain(),
      transferTasksWritten: () => {},
      timerTasksWritten: (t: number) => queue.notify(t),
      retentionTasksWritten: () => {},
      visibilityTasksWritten: () => {},
    };
    const executions = new ExecutionManager(shard, stores, new EventNotifier(), listener, logger);
    /** Starts a run whose one timer fires at `fireTime`; resolves with the run id. */
    const writeTimer = async (fireTime: number): Promise<string> => {
      const key = { namespaceId: 'ns', workflowId: `wf-${randomUUID()}`, runId: randomUUID() };
      const ms = newMutableState({
        ...key,
        workflowType: 'W',
        taskQueue: 'q',
        status: WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
        startTime: new Date(),
      });
      ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, {
        workflowExecutionStartedEventAttributes: { workflowType: { name: 'W' } },
      });
      ms.addTimerTask(fireTime, { userTimer: { timerId: 't', startedEventId: 1 } });
      await executions.create(ms, { kind: 'brand-new' });
      return key.runId;
    };
    return { shard, queue, executed, ran, writeTimer };
  }

  const stored = async () =>
    (
      await stores.executions.getHistoryTasks({
        shardId: 1,
        category: 'timer',
        minFireTime: 0,
        exclusiveMinTaskId: -1,
        maxFireTime: Number.MAX_SAFE_INTEGER,
        pageSize: 100,
      })
    ).items;

  async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('fires the timers its host committed without reading the store once caught up', async () => {
    const counting = countingStores();
    const h = await harness(counting.stores);
    const first = await h.writeTimer(Date.now());
    h.queue.start();
    await h.ran(1);
    const readsAfterCatchUp = counting.state.reads;
    expect(readsAfterCatchUp).toBeGreaterThanOrEqual(1);

    const now = Date.now();
    const later = [await h.writeTimer(now + 200), await h.writeTimer(now + 100), await h.writeTimer(now)];
    await h.ran(4);
    expect(h.executed.map((t) => t.runId)).toEqual([first, later[2], later[1], later[0]]);
    expect(counting.state.reads).toBe(readsAfterCatchUp);
    // Acked in the background: deleted with no further read.
    await eventually(async () => (await stored()).length === 0, 'the acked timers to be deleted');
    expect(counting.state.reads).toBe(readsAfterCatchUp);
  }, 10_000);

  it('fires a timer due in the past written after the queue ran and acked past its fire time', async () => {
    const h = await harness();
    await h.writeTimer(Date.now());
    h.queue.start();
    await h.ran(1);
    await eventually(async () => (await stored()).length === 0, 'the first timer to be acked');

    // Its fire time is long behind the queue's ack level: the shard writes it just above the queue's read level.
    const late = await h.writeTimer(Date.now() - 60_000);
    const [row] = await stored();
    expect(row).toMatchObject({ runId: late });
    expect(row!.fireTime).toBeGreaterThan(Date.now() - 60_000);
    await h.ran(2);
    expect(h.executed[1]!.runId).toBe(late);
    await eventually(async () => (await stored()).length === 0, 'the late timer to be acked');
  }, 10_000);

  it('keeps a timer committed while its catch-up read is in flight', async () => {
    const counting = countingStores();
    let release = () => {};
    counting.state.gate = new Promise<void>((resolve) => (release = resolve));
    const h = await harness(counting.stores);
    h.queue.start();
    await eventually(() => Promise.resolve(counting.state.reads === 1), 'the first read');

    // The read has taken its snapshot; this timer is not in it and is handed over before the read answers.
    const during = await h.writeTimer(Date.now() + 50);
    counting.state.gate = undefined;
    release();
    await h.ran(1);
    expect(h.executed.map((t) => t.runId)).toEqual([during]);
    expect(counting.state.reads).toBe(1);
  }, 10_000);

  it('reads the store again after a write of unknown outcome, so a timer written but not handed over fires', async () => {
    const counting = countingStores();
    const h = await harness(counting.stores);
    await h.writeTimer(Date.now());
    h.queue.start();
    await h.ran(1);
    const reads = counting.state.reads;

    // The write applied, but its caller saw a failure: a timer in the store the queue was never told about.
    const shard = h.shard;
    const ids = await shard.allocateTaskIds(1);
    const unrecorded: HistoryTask = {
      category: 'timer',
      taskId: ids[0]!,
      fireTime: shard.scheduledFireTime('timer', Date.now()),
      namespaceId: 'ns',
      workflowId: 'wf-unrecorded',
      runId: randomUUID(),
      data: new Uint8Array(),
    };
    const run = { namespaceId: 'ns', workflowId: unrecorded.workflowId, runId: unrecorded.runId };
    await stores.executions.createWorkflowExecution({
      shardId: 1,
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
      tasks: [unrecorded],
    });
    shard.releaseTaskIds(ids);
    h.queue.readStoreAgain();
    h.queue.notify(unrecorded.fireTime);
    await h.ran(2);
    expect(h.executed[1]).toMatchObject({ runId: unrecorded.runId });
    expect(counting.state.reads).toBeGreaterThan(reads);
  }, 10_000);

  it('reads the store for the timers it let go of when memory overflowed', async () => {
    const counting = countingStores();
    const h = await harness(counting.stores, { ...LIMITS, pageSize: 2, maxInMemory: 3 });
    h.queue.start();
    await eventually(() => Promise.resolve(counting.state.reads === 1), 'the first read');
    await new Promise((resolve) => setImmediate(resolve));

    const at = Date.now() + 300;
    const runs: string[] = [];
    for (let i = 0; i < 6; i++) runs.push(await h.writeTimer(at + i));
    await h.ran(6);
    expect(h.executed.map((t) => t.runId)).toEqual(runs);
    // Three were kept in memory; the other three came from the store, at most two a read.
    expect(counting.state.reads).toBeGreaterThanOrEqual(3);
  }, 10_000);

  it('runs acked but undeleted timers again after a restart, and never deletes for a shard it lost', async () => {
    const first = await harness();
    const runId = await first.writeTimer(Date.now());
    first.queue.start();
    await first.ran(1);
    // Lost before the background delete: past its interval, the timer is still in the store.
    first.shard.close();
    await new Promise((resolve) => setTimeout(resolve, LIMITS.ackIntervalMs * 3));
    expect((await stored()).map((t) => t.runId)).toEqual([runId]);

    const next = await harness(stores, LIMITS, 'host-b');
    next.queue.start();
    await next.ran(1);
    expect(next.executed.map((t) => t.runId)).toEqual([runId]);
    await eventually(async () => (await stored()).length === 0, 'the new owner to delete the acked timer');
  }, 10_000);
});

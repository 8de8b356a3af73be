// The execution manager against a real store: what a commit tells the queues and when, and what a refused create
// leaves behind.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createLogger } from '@tempora/common';
import {
  CurrentWorkflowConditionFailedError,
  openSqliteStores,
  type HistoryTask,
  type PersistenceStores,
} from '@tempora/persistence';
import { EventType, WorkflowExecutionStatus } from '@tempora/proto/enums';
import { WorkflowMutableState } from '@tempora/proto/persistence';
import { EventNotifier } from './event-notifier.js';
import { ExecutionManager, type TaskListener } from './execution-manager.js';
import { newMutableState } from './mutable-state.js';
import { Shard } from './shard.js';

const logger = createLogger('silent');
const namespaceId = randomUUID();

describe('execution manager', () => {
  let stores: PersistenceStores;
  let shard: Shard;
  let told: { tasks: HistoryTask[]; maxReadLevel: number }[];
  let unknownOutcomes: number;
  let executions: ExecutionManager;

  beforeEach(async () => {
    stores = openSqliteStores();
    shard = await Shard.acquire(1, stores, logger, `test-${randomUUID()}`);
    told = [];
    unknownOutcomes = 0;
    const listener: TaskListener = {
      tasksCommitted: (tasks) => told.push({ tasks: [...tasks], maxReadLevel: shard.maxReadLevel() }),
      writeOutcomeUnknown: () => unknownOutcomes++,
      transferTasksWritten: () => {},
      timerTasksWritten: () => {},
      retentionTasksWritten: () => {},
      visibilityTasksWritten: () => {},
    };
    executions = new ExecutionManager(shard, stores, new EventNotifier(), listener, logger);
  });

  afterEach(async () => {
    await stores.close();
  });

  const newRun = (workflowId: string) => {
    const ms = newMutableState({
      namespaceId,
      workflowId,
      runId: randomUUID(),
      workflowType: 'W',
      taskQueue: 'q',
      status: WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
      startTime: new Date(),
    });
    ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, {
      workflowExecutionStartedEventAttributes: { workflowType: { name: 'W' } },
    });
    ms.scheduleWorkflowTask();
    return ms;
  };
  const branchOf = async (runId: string) =>
    (
      await stores.history.readHistoryBranch({
        shardId: 1,
        branchToken: runId,
        minNodeId: 1,
        maxNodeId: Number.MAX_SAFE_INTEGER,
        pageSize: 10,
      })
    ).items;

  it("tells a commit's tasks before its task ids are released, so no queue reads past them first", async () => {
    const ms = newRun(`wf-${randomUUID()}`);
    await executions.create(ms, { kind: 'brand-new' });

    expect(told).toHaveLength(1);
    const [{ tasks, maxReadLevel }] = told as [(typeof told)[number]];
    expect(tasks.map((t) => t.category).sort()).toEqual(['transfer', 'visibility']);
    for (const task of tasks) expect(task.taskId).toBeGreaterThan(maxReadLevel);
    expect(unknownOutcomes).toBe(0);
  });

  it('deletes the history branch of a refused create, and tells no tasks', async () => {
    const workflowId = `wf-${randomUUID()}`;
    await executions.create(newRun(workflowId), { kind: 'brand-new' });
    const refused = newRun(workflowId);
    told = [];

    await expect(executions.create(refused, { kind: 'brand-new' })).rejects.toBeInstanceOf(
      CurrentWorkflowConditionFailedError,
    );
    expect(await branchOf(refused.info.runId)).toEqual([]);
    expect(told).toEqual([]);
    expect(unknownOutcomes).toBe(0);
  });

  it('counts the history size as the sum of the stored batches, from each commit on', async () => {
    const ms = newRun(`wf-${randomUUID()}`);
    expect(ms.info.historySizeBytes).toBe(0);
    await executions.create(ms, { kind: 'brand-new' });
    const key = { namespaceId, workflowId: ms.info.workflowId, runId: ms.info.runId };
    const sizeBefore = await executions.update(key, (run) => {
      const before = run.info.historySizeBytes;
      run.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, {
        workflowExecutionSignaledEventAttributes: { signalName: 's' },
      });
      // Within the transaction the size is still the persisted one (upstream reports it so in a started event).
      expect(run.info.historySizeBytes).toBe(before);
      return before;
    });

    const batches = await branchOf(key.runId);
    expect(batches).toHaveLength(2);
    expect(sizeBefore).toBe(batches[0]!.events.length);
    const row = await stores.executions.getWorkflowExecution(1, namespaceId, key.workflowId, key.runId);
    const stored = WorkflowMutableState.decode(row!.state).executionInfo!.historySizeBytes;
    expect(stored).toBe(batches[0]!.events.length + batches[1]!.events.length);
  });

  it('sends the queues to the store after a write of unknown outcome', async () => {
    const ms = newRun(`wf-${randomUUID()}`);
    const failing = Object.create(stores.executions) as PersistenceStores['executions'];
    failing.createWorkflowExecution = () => Promise.reject(new Error('connection reset'));
    const broken = new ExecutionManager(
      shard,
      { ...stores, executions: failing },
      new EventNotifier(),
      { ...executionsListener(), writeOutcomeUnknown: () => unknownOutcomes++ },
      logger,
    );

    await expect(broken.create(ms, { kind: 'brand-new' })).rejects.toThrow('connection reset');
    expect(unknownOutcomes).toBe(1);
  });
});

function executionsListener(): TaskListener {
  return {
    tasksCommitted: () => {},
    writeOutcomeUnknown: () => {},
    transferTasksWritten: () => {},
    timerTasksWritten: () => {},
    retentionTasksWritten: () => {},
    visibilityTasksWritten: () => {},
  };
}

import { describe, expect, it } from '@jest/globals';
import { Command } from '@tempora/proto/command';
import { Payload } from '@tempora/proto/common';
import {
  CommandType,
  EventType,
  WorkflowTaskFailedCause,
  ResetReapplyExcludeType,
  ResetReapplyType,
  WorkflowExecutionStatus,
} from '@tempora/proto/enums';
import { HistoryEvent } from '@tempora/proto/history';
import { ResetWorkflowExecutionRequest } from '@tempora/proto/workflowservice';
import { ExecutionInfo } from '@tempora/proto/persistence';
import type { DeepPartial } from '@tempora/rpc';
import { recordChildClosed, recordChildStarted } from './children.js';
import { applyCommands, validateCommands, type CommandNamespaces } from './commands/index.js';
import type { MutableState } from './mutable-state.js';
import { buildResetRun } from './reset.js';
import { completeWorkflowTask, eventTypes, startWorkflowTask, startedRun } from './test-support.js';

const RESET_RUN_ID = '33333333-3333-4333-8333-333333333333';
const namespaces: CommandNamespaces = { self: { id: 'ns-id', name: 'default' }, byName: new Map() };
const payload = (text: string) => Payload.fromPartial({ data: Buffer.from(text) });

/** Starts the scheduled task, completes it with the commands and applies them, as the workflow task RPCs do. */
function workflowTask(ms: MutableState, commands: DeepPartial<Command>[]): void {
  const parsed = commands.map((c) => Command.fromPartial(c));
  startWorkflowTask(ms);
  validateCommands(ms, parsed, namespaces);
  const completedEventId = completeWorkflowTask(ms);
  applyCommands(ms, parsed, { completedEventId, identity: 'worker', namespaces, applyProtocolMessage: () => {} });
}

function signal(ms: MutableState, signalName: string): void {
  ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, {
    workflowExecutionSignaledEventAttributes: { signalName, input: { payloads: [payload(signalName)] } },
  });
  ms.info.signalCount++;
  ms.ensureWorkflowTask();
}

/**
 * 1 WorkflowExecutionStarted, 2 WorkflowTaskScheduled, 3 WorkflowTaskStarted, 4 WorkflowTaskCompleted,
 * 5 TimerStarted, 6 ActivityTaskScheduled, 7 UpsertWorkflowSearchAttributes, 8 WorkflowExecutionSignaled "first",
 * 9 WorkflowTaskScheduled, 10 WorkflowTaskStarted, 11 WorkflowTaskCompleted, 12 MarkerRecorded,
 * 13 WorkflowExecutionSignaled "second", 14 WorkflowTaskScheduled.
 */
function baseRun(): MutableState {
  const ms = startedRun({ searchAttributes: { indexedFields: { Stage: payload('start') } } });
  workflowTask(ms, [
    {
      commandType: CommandType.COMMAND_TYPE_START_TIMER,
      startTimerCommandAttributes: { timerId: 't1', startToFireTimeout: { seconds: 60, nanos: 0 } },
    },
    {
      commandType: CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
      scheduleActivityTaskCommandAttributes: {
        activityId: 'a1',
        activityType: { name: 'Send' },
        taskQueue: { name: 'main-queue' },
        startToCloseTimeout: { seconds: 30, nanos: 0 },
      },
    },
    {
      commandType: CommandType.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
      upsertWorkflowSearchAttributesCommandAttributes: {
        searchAttributes: { indexedFields: { Stage: payload('upserted') } },
      },
    },
  ]);
  signal(ms, 'first');
  workflowTask(ms, [
    { commandType: CommandType.COMMAND_TYPE_RECORD_MARKER, recordMarkerCommandAttributes: { markerName: 'Version' } },
  ]);
  signal(ms, 'second');
  return ms;
}

function reset(base: MutableState, request: DeepPartial<ResetWorkflowExecutionRequest>): MutableState {
  return buildResetRun(
    ExecutionInfo.fromPartial(base.info),
    base.newEvents,
    ResetWorkflowExecutionRequest.fromPartial({ reason: 'bad deploy', requestId: 'reset-request', ...request }),
    RESET_RUN_ID,
  );
}

describe('buildResetRun', () => {
  it('has the base history the reset tests count on', () => {
    expect(eventTypes(baseRun())).toEqual([
      'WORKFLOW_EXECUTION_STARTED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_COMPLETED',
      'TIMER_STARTED',
      'ACTIVITY_TASK_SCHEDULED',
      'UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
      'WORKFLOW_EXECUTION_SIGNALED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_COMPLETED',
      'MARKER_RECORDED',
      'WORKFLOW_EXECUTION_SIGNALED',
      'WORKFLOW_TASK_SCHEDULED',
    ]);
  });

  it('replays the base history to the reset point, fails that task, reapplies later signals and schedules a task', () => {
    const base = baseRun();
    const run = reset(base, { workflowTaskFinishEventId: 11 });

    expect(eventTypes(run)).toEqual([
      'WORKFLOW_EXECUTION_STARTED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_COMPLETED',
      'TIMER_STARTED',
      'ACTIVITY_TASK_SCHEDULED',
      'UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
      'WORKFLOW_EXECUTION_SIGNALED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_FAILED',
      'WORKFLOW_EXECUTION_SIGNALED',
      'WORKFLOW_TASK_SCHEDULED',
    ]);
    expect(run.newEvents.map((e) => e.eventId)).toEqual(run.newEvents.map((_, i) => i + 1));
    expect(run.newEvents[10]!.workflowTaskFailedEventAttributes).toMatchObject({
      scheduledEventId: 9,
      startedEventId: 10,
      cause: WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW,
      failure: { message: 'bad deploy' },
      baseRunId: base.info.runId,
      newRunId: RESET_RUN_ID,
    });
    expect(run.newEvents[11]!.workflowExecutionSignaledEventAttributes!.signalName).toBe('second');
    expect(run.info).toMatchObject({
      runId: RESET_RUN_ID,
      createRequestId: 'reset-request',
      status: WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
      signalCount: 2,
      lastCompletedWorkflowTaskStartedEventId: 3,
      nextEventId: 14,
    });
    expect(Buffer.from(run.info.searchAttributes!.indexedFields['Stage']!.data).toString()).toBe('upserted');
    expect(run.workflowTask!.scheduledEventId).toBe(13);
  });

  it('starts the reset run at the reset, keeping the copied started event as it was', () => {
    const base = baseRun();
    const baseStart = new Date(base.now.getTime() - 3_600_000);
    base.info.startTime = baseStart;
    base.info.executionTime = baseStart;
    base.newEvents[0]!.eventTime = baseStart;
    const run = reset(base, { workflowTaskFinishEventId: 11 });
    expect([run.info.startTime, run.info.executionTime]).toEqual([run.now, run.now]);
    expect(run.newEvents[0]!.eventTime).toEqual(baseStart);
  });

  it('re-arms what the rebuilt run has pending: the activity dispatched again and the timer at its original expiry', () => {
    const base = baseRun();
    const run = reset(base, { workflowTaskFinishEventId: 11 });

    expect(Object.values(run.state.activities).map((a) => [a.scheduledEventId, a.activityId, a.attempt])).toEqual([
      [6, 'a1', 1],
    ]);
    expect(run.transferTasks.map((t) => t.activityTask).filter(Boolean)).toEqual([{ scheduledEventId: 6, attempt: 1 }]);
    const timerStartedAt = base.newEvents[4]!.eventTime!.getTime();
    expect(run.state.timers['t1']).toMatchObject({ startedEventId: 5, expiryTime: new Date(timerStartedAt + 60_000) });
    expect(run.timerTasks.filter((t) => t.body.userTimer)).toEqual([
      {
        fireTime: timerStartedAt + 60_000,
        body: expect.objectContaining({ userTimer: { timerId: 't1', startedEventId: 5 } }),
      },
    ]);
  });

  it('starts the reset point task first when it was only scheduled', () => {
    const run = reset(baseRun(), { workflowTaskFinishEventId: 10 });
    expect(eventTypes(run).slice(8, 11)).toEqual([
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_FAILED',
    ]);
    expect(run.newEvents[9]!.workflowTaskStartedEventAttributes!.identity).toBe('history-service');
  });

  it('reapplies no signal when asked not to', () => {
    const none = reset(baseRun(), {
      workflowTaskFinishEventId: 11,
      resetReapplyType: ResetReapplyType.RESET_REAPPLY_TYPE_NONE,
    });
    const excluded = reset(baseRun(), {
      workflowTaskFinishEventId: 11,
      resetReapplyExcludeTypes: [ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL],
    });
    for (const run of [none, excluded]) {
      expect(eventTypes(run).slice(-2)).toEqual(['WORKFLOW_TASK_FAILED', 'WORKFLOW_TASK_SCHEDULED']);
      expect(run.info.signalCount).toBe(1);
    }
  });

  it('refuses a reset point that is not at a workflow task', () => {
    expect(() => reset(baseRun(), { workflowTaskFinishEventId: 8 })).toThrow(
      'Can only reset workflow to event ID in range [WorkflowTaskScheduled +1, WorkflowTaskStarted + 1]: 8',
    );
  });

  describe('with a child', () => {
    /** 5 StartChildWorkflowExecutionInitiated, then the child's started and completed events or a signal. */
    function runWithChild(childCloses: boolean): MutableState {
      const ms = startedRun();
      workflowTask(ms, [
        {
          commandType: CommandType.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION,
          startChildWorkflowExecutionCommandAttributes: { workflowId: 'child', workflowType: { name: 'Child' } },
        },
      ]);
      if (childCloses) {
        recordChildStarted(ms, 5, { workflowId: 'child', runId: 'child-run' });
        const close = HistoryEvent.fromPartial({
          eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
          workflowExecutionCompletedEventAttributes: {},
        });
        recordChildClosed(ms, 5, { workflowId: 'child', runId: 'child-run' }, close);
        startWorkflowTask(ms);
      } else {
        signal(ms, 'wake');
      }
      return ms;
    }

    it('refuses while the child is pending at the reset point', () => {
      const base = runWithChild(false);
      expect(eventTypes(base).slice(4)).toEqual([
        'START_CHILD_WORKFLOW_EXECUTION_INITIATED',
        'WORKFLOW_EXECUTION_SIGNALED',
        'WORKFLOW_TASK_SCHEDULED',
      ]);
      expect(() => reset(base, { workflowTaskFinishEventId: 8 })).toThrow(
        'WorkflowResetter encountered pending child workflows.',
      );
    });

    it('resets once the child closed before the reset point', () => {
      const base = runWithChild(true);
      expect(eventTypes(base).slice(4)).toEqual([
        'START_CHILD_WORKFLOW_EXECUTION_INITIATED',
        'CHILD_WORKFLOW_EXECUTION_STARTED',
        'WORKFLOW_TASK_SCHEDULED',
        'CHILD_WORKFLOW_EXECUTION_COMPLETED',
        'WORKFLOW_TASK_STARTED',
      ]);
      const run = reset(base, { workflowTaskFinishEventId: 10 });
      expect(run.state.childExecutions).toEqual({});
      expect(eventTypes(run).slice(-3)).toEqual([
        'WORKFLOW_TASK_STARTED',
        'WORKFLOW_TASK_FAILED',
        'WORKFLOW_TASK_SCHEDULED',
      ]);
    });
  });
});

import { describe, expect, it } from '@jest/globals';
import { EventType, TaskQueueKind, TimeoutType, WorkflowExecutionStatus } from '@tempora/proto/enums';
import { HistoryEvent } from '@tempora/proto/history';
import { ChildExecutionInfo, WorkflowTaskType } from '@tempora/proto/persistence';
import { recordChildClosed, recordChildStarted } from './children.js';
import { BUFFERED_EVENT_ID } from './events.js';
import { type MutableState, newMutableState } from './mutable-state.js';
import { eventTypes, nextTransaction, startWorkflowTask, startedRun } from './test-support.js';

const E = EventType;
const signaled = { workflowExecutionSignaledEventAttributes: { signalName: 's' } };

/** A run with its first workflow task started, in a fresh transaction. */
function runWithStartedTask(): MutableState {
  const ms = startedRun();
  startWorkflowTask(ms);
  return nextTransaction(ms);
}

describe('MutableState events', () => {
  it('numbers events consecutively from 1', () => {
    const ms = newMutableState({ workflowId: 'wf', taskQueue: 'q' });
    const first = ms.addEvent(E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, {
      workflowExecutionStartedEventAttributes: { workflowType: { name: 'T' } },
    });
    const second = ms.addEvent(E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, signaled);

    expect([first.eventId, second.eventId, ms.info.nextEventId]).toEqual([1, 2, 3]);
    expect(ms.newEvents).toEqual([first, second]);
    expect([first.version, first.eventTime]).toEqual([0, ms.now]);
    expect(ms.hasChanges).toBe(true);
  });

  it('buffers results arriving while a workflow task is started, but never command or task events', () => {
    const ms = runWithStartedTask();
    const nextEventId = ms.info.nextEventId;
    const buffered = ms.addEvent(E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, signaled);
    const timer = ms.addEvent(E.EVENT_TYPE_TIMER_STARTED, { timerStartedEventAttributes: { timerId: 't' } });

    expect(buffered.eventId).toBe(0);
    expect(ms.state.bufferedEvents).toEqual([buffered]);
    expect(timer.eventId).toBe(nextEventId);
    expect(eventTypes(ms)).toEqual(['TIMER_STARTED']);
    expect(ms.hasBufferedEvents).toBe(true);
  });

  it('flushes the buffer with activity results last, pointed at the started event flushed with them', () => {
    const ms = runWithStartedTask();
    ms.addEvent(E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, {
      activityTaskCompletedEventAttributes: { scheduledEventId: 5, startedEventId: 0 },
    });
    ms.addEvent(E.EVENT_TYPE_ACTIVITY_TASK_STARTED, { activityTaskStartedEventAttributes: { scheduledEventId: 5 } });
    ms.addEvent(E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, signaled);
    ms.clearWorkflowTask();
    const firstId = ms.info.nextEventId;
    ms.flushBufferedEvents();

    expect(eventTypes(ms)).toEqual(['ACTIVITY_TASK_STARTED', 'WORKFLOW_EXECUTION_SIGNALED', 'ACTIVITY_TASK_COMPLETED']);
    expect(ms.newEvents.map((e) => e.eventId)).toEqual([firstId, firstId + 1, firstId + 2]);
    expect(ms.newEvents[2]!.activityTaskCompletedEventAttributes!.startedEventId).toBe(firstId);
    expect(ms.state.bufferedEvents).toEqual([]);
  });

  it('discards the buffer, and removes one buffered event by predicate', () => {
    const ms = runWithStartedTask();
    ms.bufferEvent(E.EVENT_TYPE_TIMER_FIRED, { timerFiredEventAttributes: { timerId: 'a' } });
    ms.bufferEvent(E.EVENT_TYPE_TIMER_FIRED, { timerFiredEventAttributes: { timerId: 'b' } });
    expect(
      ms.removeBufferedEvent((e) => e.timerFiredEventAttributes?.timerId === 'a')?.timerFiredEventAttributes?.timerId,
    ).toBe('a');
    expect(ms.removeBufferedEvent((e) => e.timerFiredEventAttributes?.timerId === 'a')).toBeUndefined();
    expect(ms.state.bufferedEvents.map((e) => e.timerFiredEventAttributes?.timerId)).toEqual(['b']);
    ms.discardBufferedEvents();
    expect(ms.state.bufferedEvents).toEqual([]);
    expect(ms.newEvents).toEqual([]);
  });
});

describe('MutableState children bookkeeping', () => {
  function runWithChild(ms: MutableState, initiatedEventId: number): void {
    ms.state.childExecutions[initiatedEventId] = ChildExecutionInfo.fromPartial({
      initiatedEventId,
      workflowId: 'child',
      workflowType: 'Child',
      namespace: 'default',
    });
  }

  it('resolves a child started while a task ran once its buffered started event is flushed, with a result in the same flush', () => {
    const ms = runWithStartedTask();
    runWithChild(ms, 5);
    recordChildStarted(ms, 5, { workflowId: 'child', runId: 'child-run' });
    expect(ms.state.childExecutions[5]).toMatchObject({ startedEventId: BUFFERED_EVENT_ID, startedRunId: 'child-run' });

    const childClose = HistoryEvent.fromPartial({
      eventType: E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
      workflowExecutionCompletedEventAttributes: {},
    });
    recordChildClosed(ms, 5, { workflowId: 'child', runId: 'child-run' }, childClose);
    expect(ms.state.childExecutions).toEqual({});
    ms.clearWorkflowTask();
    const startedId = ms.info.nextEventId;
    ms.flushBufferedEvents();

    expect(eventTypes(ms)).toEqual(['CHILD_WORKFLOW_EXECUTION_STARTED', 'CHILD_WORKFLOW_EXECUTION_COMPLETED']);
    const [started, completed] = ms.newEvents;
    expect(EventType[started!.eventType]).toBe('EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED');
    expect(started!.eventId).toBe(startedId);
    expect(completed!.childWorkflowExecutionCompletedEventAttributes).toMatchObject({
      initiatedEventId: 5,
      startedEventId: startedId,
    });
  });

  it('records a child started outside a task with its event id, and schedules a workflow task for it', () => {
    const ms = startedRun();
    startWorkflowTask(ms);
    ms.clearWorkflowTask();
    const next = nextTransaction(ms);
    runWithChild(next, 5);
    recordChildStarted(next, 5, { workflowId: 'child', runId: 'child-run' });
    expect(next.state.childExecutions[5]!.startedEventId).toBe(next.newEvents[0]!.eventId);
    expect(eventTypes(next)).toEqual(['CHILD_WORKFLOW_EXECUTION_STARTED', 'WORKFLOW_TASK_SCHEDULED']);
  });
});

describe('MutableState workflow tasks', () => {
  it('schedules a task on the normal queue with its event and transfer task', () => {
    const ms = startedRun();
    const task = ms.workflowTask!;
    expect(eventTypes(ms)).toEqual(['WORKFLOW_EXECUTION_STARTED', 'WORKFLOW_TASK_SCHEDULED']);
    expect(task).toMatchObject({
      scheduledEventId: 2,
      attempt: 1,
      taskQueue: 'main-queue',
      taskQueueKind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL,
      type: WorkflowTaskType.WORKFLOW_TASK_TYPE_NORMAL,
    });
    expect(ms.transferTasks.map((t) => t.workflowTask)).toEqual([
      expect.objectContaining({ scheduledEventId: 2, taskQueue: 'main-queue' }),
    ]);
    expect(ms.timerTasks).toEqual([]);
  });

  it('schedules on the sticky queue with a schedule-to-start timeout back to the normal one', () => {
    const ms = startedRun();
    ms.clearWorkflowTask();
    ms.info.stickyTaskQueue = 'worker-1-sticky';
    ms.info.stickyScheduleToStartTimeout = { seconds: 3, nanos: 0 };
    const task = ms.scheduleWorkflowTask();
    expect(ms.newEvents.at(-1)!.workflowTaskScheduledEventAttributes!.taskQueue).toEqual({
      name: 'worker-1-sticky',
      kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY,
      normalName: 'main-queue',
    });
    expect(ms.timerTasks).toEqual([
      {
        fireTime: ms.now.getTime() + 3_000,
        body: expect.objectContaining({
          workflowTaskTimeout: {
            scheduledEventId: task.scheduledEventId,
            attempt: 1,
            timeoutType: TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START,
          },
        }),
      },
    ]);
    ms.clearStickyness();
    expect([ms.info.stickyTaskQueue, ms.info.stickyScheduleToStartTimeout]).toEqual(['', undefined]);
  });

  it('writes no event for a retried (transient) task until other events come first', () => {
    const ms = startedRun();
    ms.clearWorkflowTask();
    const eventsBefore = ms.newEvents.length;
    const transient = ms.scheduleWorkflowTask(2);
    expect([transient.type, transient.scheduledEventId, ms.newEvents.length]).toEqual([
      WorkflowTaskType.WORKFLOW_TASK_TYPE_TRANSIENT,
      ms.info.nextEventId,
      eventsBefore,
    ]);

    ms.convertTransientWorkflowTaskIfEventsWritten();
    expect(ms.workflowTask!.type).toBe(WorkflowTaskType.WORKFLOW_TASK_TYPE_TRANSIENT);
    ms.addEvent(E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, signaled);
    ms.convertTransientWorkflowTaskIfEventsWritten();
    expect(ms.workflowTask).toMatchObject({
      type: WorkflowTaskType.WORKFLOW_TASK_TYPE_NORMAL,
      attempt: 1,
      scheduledEventId: ms.info.nextEventId - 1,
    });
    expect(eventTypes(ms).slice(-2)).toEqual(['WORKFLOW_EXECUTION_SIGNALED', 'WORKFLOW_TASK_SCHEDULED']);
  });

  it('ensures one workflow task, but none before a delayed first task is due', () => {
    const ms = startedRun();
    const first = ms.workflowTask;
    ms.ensureWorkflowTask();
    expect(ms.workflowTask).toBe(first);

    const delayed = startedRun({ executionTime: new Date(Date.now() + 60_000) });
    delayed.clearWorkflowTask();
    expect(delayed.awaitingFirstWorkflowTaskBackoff).toBe(true);
    delayed.ensureWorkflowTask();
    expect(delayed.workflowTask).toBeUndefined();
  });
});

describe('MutableState status', () => {
  it('closes the run: close time, status change, and a close transfer task only when a parent or child must hear of it', () => {
    const lone = startedRun();
    lone.setStatus(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    expect([lone.isRunning, lone.statusChanged, lone.info.closeTime]).toEqual([false, true, lone.now]);
    expect(lone.transferTasks.some((t) => t.closeExecution)).toBe(false);

    const child = startedRun({
      parent: { namespace: 'default', namespaceId: 'ns-id', workflowId: 'parent', runId: 'p', initiatedId: 5 },
    });
    child.setStatus(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED);
    expect(child.transferTasks.some((t) => t.closeExecution)).toBe(true);
  });

  it('has no changes until something is written or marked dirty', () => {
    const ms = nextTransaction(startedRun());
    expect(ms.hasChanges).toBe(false);
    ms.markDirty();
    expect(ms.hasChanges).toBe(true);
  });
});

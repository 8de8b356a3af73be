// ResetWorkflowExecution (upstream ndc/workflow_resetter.go): a new run whose history is the base run's up to a
// workflow task, that task failed with cause RESET_WORKFLOW, the base run's later signals reapplied, and a new
// workflow task. The current run, if running, is terminated in the same write that creates the reset run.
import { randomUUID } from 'node:crypto';
import { durationToMs } from '@tempora/common';
import {
  EventType,
  WorkflowTaskFailedCause,
  ResetReapplyExcludeType,
  ResetReapplyType,
  TaskQueueKind,
  WorkflowExecutionStatus,
} from '@tempora/proto/enums';
import type { HistoryEvent } from '@tempora/proto/history';
import type { ResetWorkflowExecutionRequest } from '@tempora/proto/workflowservice';
import {
  ActivityInfo,
  ChildExecutionInfo,
  ExecutionInfo,
  WorkflowTaskInfo,
  WorkflowTaskType,
} from '@tempora/proto/persistence';
import { ExecutionState } from '@tempora/persistence';
import { invalidArgument } from '@tempora/rpc';
import { dispatchActivityAttempt } from './activities.js';
import { terminateRun } from './close-run.js';
import type { HistoryContext } from './context.js';
import { activityResultAttributes, childResultAttributes } from './events.js';
import { readEvents } from './history-reader.js';
import { HISTORY_SERVICE_IDENTITY, RESETTER_IDENTITY } from './identity.js';
import { newMutableState, type MutableState } from './mutable-state.js';
import { targetRun } from './run-target.js';

export async function resetWorkflow(
  ctx: HistoryContext,
  namespaceId: string,
  request: ResetWorkflowExecutionRequest,
): Promise<string> {
  const workflowId = request.workflowExecution!.workflowId;
  const engine = ctx.shards.engineFor(namespaceId, workflowId);
  const baseKey = await targetRun(engine, namespaceId, request.workflowExecution!);
  const current = await engine.executions.getCurrent(namespaceId, workflowId);
  if (current?.createRequestId === request.requestId) return current.runId; // a retried reset

  const baseInfo = await engine.executions.read(baseKey, (ms) => ExecutionInfo.fromPartial(ms.info));
  const finishId = request.workflowTaskFinishEventId;
  if (finishId <= 1 || finishId >= baseInfo.nextEventId) {
    throw invalidArgument('Workflow task finish ID must be > 1 && <= workflow last event ID.');
  }
  const baseEvents = await readEvents(ctx.stores, engine.shard.shardId, baseKey.runId, 1, baseInfo.nextEventId);
  const resetRunId = randomUUID();
  const reset = buildResetRun(baseInfo, baseEvents, request, resetRunId);

  // The base run names its latest reset run (describe's workflowExtendedInfo.resetRunId).
  const markBase = (ms: MutableState) => {
    ms.info.resetRunId = resetRunId;
    ms.markDirty();
  };
  if (current && current.state !== ExecutionState.Completed) {
    const currentKey = { namespaceId, workflowId, runId: current.runId };
    await engine.executions.update(currentKey, (ms) => {
      if (ms.isRunning) terminateRun(ms, request.reason, undefined, RESETTER_IDENTITY);
      if (current.runId === baseKey.runId) markBase(ms);
      ms.newRun = reset;
    });
    if (current.runId !== baseKey.runId) await engine.executions.update(baseKey, markBase);
  } else {
    const condition = current
      ? { kind: 'replace-current' as const, previousRunId: current.runId }
      : { kind: 'brand-new' as const };
    await engine.executions.create(reset, condition);
    await engine.executions.update(baseKey, markBase);
  }
  return resetRunId;
}

/** The reset run, built from the base run's info and whole history (`request.workflowTaskFinishEventId` already in range). */
export function buildResetRun(
  baseInfo: ExecutionInfo,
  baseEvents: HistoryEvent[],
  request: ResetWorkflowExecutionRequest,
  resetRunId: string,
): MutableState {
  const finishId = request.workflowTaskFinishEventId;
  const reset = rebuildRun(baseInfo, baseEvents.slice(0, finishId - 1), resetRunId, request.requestId);
  failResetWorkflowTask(reset, finishId, baseInfo.runId, resetRunId, request.reason);
  for (const signal of signalsToReapply(request, baseEvents.slice(finishId - 1))) {
    const a = signal.workflowExecutionSignaledEventAttributes!;
    reset.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, { workflowExecutionSignaledEventAttributes: a });
    reset.info.signalCount++;
  }
  reset.scheduleWorkflowTask();
  armPendingWork(reset);
  return reset;
}

/** A fresh run holding copies of `events`, with the state they imply (no tasks yet). */
function rebuildRun(base: ExecutionInfo, events: HistoryEvent[], runId: string, requestId: string): MutableState {
  const started = events[0]!.workflowExecutionStartedEventAttributes!;
  const ms = newMutableState({
    ...base,
    runId,
    status: WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
    closeTime: undefined,
    completionEventId: 0,
    newExecutionRunId: '',
    createRequestId: requestId,
    nextEventId: 1,
    historySizeBytes: 0,
    stickyTaskQueue: '',
    stickyScheduleToStartTimeout: undefined,
    lastCompletedWorkflowTaskStartedEventId: 0,
    cancelRequested: false,
    cancelRequestId: '',
    signalCount: 0,
    signalRequestIds: [],
    memo: started.memo,
    searchAttributes: started.searchAttributes,
    stateTransitionCount: 0,
    resetRunId: '',
    // As upstream, the reset run's reset points are its own (its first completed workflow task adds one).
    autoResetPoints: undefined,
    lastEventTaskId: 0,
  });
  // As upstream, the reset run starts now (describe, visibility, cron and backoff count from here); its copied
  // WorkflowExecutionStarted keeps the base run's event time.
  ms.info.startTime = ms.now;
  ms.info.lastResetTime = ms.now;
  ms.info.originalStartTime = base.originalStartTime ?? base.startTime;
  ms.info.executionTime = new Date(ms.now.getTime() + durationToMs(started.firstWorkflowTaskBackoff));
  ms.statusChanged = true;
  for (const event of events) replay(ms, ms.appendCopiedEvent(event));
  if (Object.keys(ms.state.childExecutions).length) {
    throw invalidArgument('WorkflowResetter encountered pending child workflows.');
  }
  return ms;
}

/** Applies one event's effect on the run's state, as recording it originally did. */
function replay(ms: MutableState, event: HistoryEvent): void {
  const s = ms.state;
  switch (event.eventType) {
    case EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED: {
      const a = event.workflowTaskScheduledEventAttributes!;
      s.workflowTask = WorkflowTaskInfo.fromPartial({
        scheduledEventId: event.eventId,
        attempt: a.attempt,
        startToCloseTimeout: a.startToCloseTimeout,
        taskQueue: ms.info.taskQueue,
        taskQueueKind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL,
        scheduledTime: event.eventTime,
        originalScheduledTime: event.eventTime,
        type: WorkflowTaskType.WORKFLOW_TASK_TYPE_NORMAL,
      });
      return;
    }
    case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
      if (s.workflowTask) {
        s.workflowTask.startedEventId = event.eventId;
        s.workflowTask.startedTime = event.eventTime;
      }
      return;
    case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
      ms.info.lastCompletedWorkflowTaskStartedEventId = event.workflowTaskCompletedEventAttributes!.startedEventId;
      ms.clearWorkflowTask();
      return;
    case EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
    case EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
      ms.clearWorkflowTask();
      return;
    case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
      const a = event.activityTaskScheduledEventAttributes!;
      s.activities[event.eventId] = ActivityInfo.fromPartial({
        scheduledEventId: event.eventId,
        activityId: a.activityId,
        scheduled: a,
        scheduledTime: ms.now,
        firstScheduledTime: ms.now,
        currentAttemptScheduledTime: ms.now,
        attempt: 1,
      });
      return;
    }
    case EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED: {
      const activity = s.activities[event.activityTaskCancelRequestedEventAttributes!.scheduledEventId];
      if (activity) {
        activity.cancelRequested = true;
        activity.cancelRequestEventId = event.eventId;
      }
      return;
    }
    case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
    case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
    case EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
    case EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
      delete s.activities[activityResultAttributes(event)!.scheduledEventId];
      return;
    case EventType.EVENT_TYPE_TIMER_STARTED: {
      const a = event.timerStartedEventAttributes!;
      const expiry = (event.eventTime?.getTime() ?? ms.now.getTime()) + durationToMs(a.startToFireTimeout);
      s.timers[a.timerId] = { timerId: a.timerId, startedEventId: event.eventId, expiryTime: new Date(expiry) };
      return;
    }
    case EventType.EVENT_TYPE_TIMER_FIRED:
      delete s.timers[event.timerFiredEventAttributes!.timerId];
      return;
    case EventType.EVENT_TYPE_TIMER_CANCELED:
      delete s.timers[event.timerCanceledEventAttributes!.timerId];
      return;
    case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
      s.childExecutions[event.eventId] = ChildExecutionInfo.fromPartial({ initiatedEventId: event.eventId });
      return;
    case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED:
      delete s.childExecutions[event.startChildWorkflowExecutionFailedEventAttributes!.initiatedEventId];
      return;
    case EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
    case EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
    case EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED:
    case EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED:
    case EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT:
      delete s.childExecutions[childResultAttributes(event)!.initiatedEventId];
      return;
    case EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
      s.signals[event.eventId] = {
        initiatedEventId: event.eventId,
        requestId: randomUUID(),
        initiated: event.signalExternalWorkflowExecutionInitiatedEventAttributes,
      };
      return;
    case EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED:
      delete s.signals[event.externalWorkflowExecutionSignaledEventAttributes!.initiatedEventId];
      return;
    case EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED:
      delete s.signals[event.signalExternalWorkflowExecutionFailedEventAttributes!.initiatedEventId];
      return;
    case EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
      s.requestCancels[event.eventId] = {
        initiatedEventId: event.eventId,
        requestId: randomUUID(),
        initiated: event.requestCancelExternalWorkflowExecutionInitiatedEventAttributes,
      };
      return;
    case EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
      delete s.requestCancels[event.externalWorkflowExecutionCancelRequestedEventAttributes!.initiatedEventId];
      return;
    case EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED:
      delete s.requestCancels[event.requestCancelExternalWorkflowExecutionFailedEventAttributes!.initiatedEventId];
      return;
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
      ms.info.signalCount++;
      return;
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
      ms.info.cancelRequested = true;
      return;
    case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
      const fields = event.upsertWorkflowSearchAttributesEventAttributes!.searchAttributes?.indexedFields;
      ms.info.searchAttributes = { indexedFields: { ...ms.info.searchAttributes?.indexedFields, ...fields } };
      return;
    }
    case EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED: {
      const fields = event.workflowPropertiesModifiedEventAttributes!.upsertedMemo?.fields;
      ms.info.memo = { fields: { ...ms.info.memo?.fields, ...fields } };
      return;
    }
    default:
      return;
  }
}

/** The reset point's workflow task fails with cause RESET_WORKFLOW (started first if it was only scheduled). */
function failResetWorkflowTask(
  ms: MutableState,
  finishId: number,
  baseRunId: string,
  newRunId: string,
  reason: string,
): void {
  const task = ms.workflowTask;
  if (!task) {
    throw invalidArgument(
      `Can only reset workflow to event ID in range [WorkflowTaskScheduled +1, WorkflowTaskStarted + 1]: ${finishId}`,
    );
  }
  if (task.startedEventId === 0) {
    const started = ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, {
      workflowTaskStartedEventAttributes: {
        scheduledEventId: task.scheduledEventId,
        identity: HISTORY_SERVICE_IDENTITY,
        requestId: randomUUID(),
      },
    });
    task.startedEventId = started.eventId;
  }
  ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, {
    workflowTaskFailedEventAttributes: {
      scheduledEventId: task.scheduledEventId,
      startedEventId: task.startedEventId,
      cause: WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW,
      failure: { message: reason, resetWorkflowFailureInfo: {} },
      identity: HISTORY_SERVICE_IDENTITY,
      baseRunId,
      newRunId,
      forkEventVersion: 0,
    },
  });
  ms.clearWorkflowTask();
}

function signalsToReapply(request: ResetWorkflowExecutionRequest, laterEvents: HistoryEvent[]): HistoryEvent[] {
  if (request.resetReapplyType === ResetReapplyType.RESET_REAPPLY_TYPE_NONE) return [];
  if (request.resetReapplyExcludeTypes.includes(ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL)) return [];
  return laterEvents.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
}

/** Tasks for what the rebuilt run has pending: activities dispatched anew, timers, external calls, timeouts. */
function armPendingWork(ms: MutableState): void {
  for (const activity of Object.values(ms.state.activities)) {
    const scheduled = activity.scheduled!;
    dispatchActivityAttempt(
      ms,
      activity.scheduledEventId,
      1,
      durationToMs(scheduled.scheduleToStartTimeout),
      durationToMs(scheduled.scheduleToCloseTimeout),
    );
  }
  for (const timer of Object.values(ms.state.timers)) {
    ms.addTimerTask(timer.expiryTime!.getTime(), {
      userTimer: { timerId: timer.timerId, startedEventId: timer.startedEventId },
    });
  }
  for (const signal of Object.values(ms.state.signals))
    ms.addTransferTask({ signalExternal: { initiatedEventId: signal.initiatedEventId } });
  for (const cancel of Object.values(ms.state.requestCancels))
    ms.addTransferTask({ cancelExternal: { initiatedEventId: cancel.initiatedEventId } });
  const runTimeoutMs = durationToMs(ms.info.workflowRunTimeout);
  const executionDeadline = ms.info.executionExpirationTime?.getTime() ?? 0;
  if (runTimeoutMs > 0) {
    const runExpiration = ms.now.getTime() + runTimeoutMs;
    ms.info.runExpirationTime = new Date(runExpiration);
    if (!executionDeadline || runExpiration < executionDeadline)
      ms.addTimerTask(runExpiration, { workflowTimeout: { isExecutionTimeout: false } });
  }
  if (executionDeadline) ms.addTimerTask(executionDeadline, { workflowTimeout: { isExecutionTimeout: true } });
}

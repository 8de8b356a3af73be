// A run's mutable state inside one transaction: the persisted state plus the events and history tasks the
// transaction produces. The execution manager writes them all in one conditional write, or none.
import { durationToMs, msToDuration } from '@tempora/common';
import type { SuggestContinueAsNewReason } from '@tempora/proto/enums';
import { EventType, TaskQueueKind, TimeoutType, WorkflowExecutionStatus } from '@tempora/proto/enums';
import { HistoryEvent } from '@tempora/proto/history';
import {
  TimerTaskBody,
  TransferTaskBody,
  type VisibilityTaskKind,
  WorkflowMutableState,
  WorkflowTaskInfo,
  WorkflowTaskType,
  type ExecutionInfo,
} from '@tempora/proto/persistence';
import type { DeepPartial } from '@tempora/rpc';
import { BUFFERED_EVENT_ID, activityResultAttributes, childResultAttributes } from './events.js';

export interface PendingTimerTask {
  fireTime: number;
  body: TimerTaskBody;
}

/** Events that never wait in the buffer: they are the direct result of a command or a workflow task transition. */
const UNBUFFERED_EVENT_TYPES = new Set<EventType>([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
  EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
  EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED,
  EventType.EVENT_TYPE_TIMER_STARTED,
  EventType.EVENT_TYPE_TIMER_CANCELED,
  EventType.EVENT_TYPE_MARKER_RECORDED,
  EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
  EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
  EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
  EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
  EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
]);

/** Results that upstream moves after the other buffered events when the buffer is flushed (reorderBuffer). */
const COMPLETION_EVENT_TYPES = new Set<EventType>([
  EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
  EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
]);

const CLOSED_STATUSES = new Set<WorkflowExecutionStatus>([
  WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED,
  WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED,
  WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED,
  WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED,
  WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW,
  WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
]);

export function isClosedStatus(status: WorkflowExecutionStatus): boolean {
  return CLOSED_STATUSES.has(status);
}

export class MutableState {
  readonly newEvents: HistoryEvent[] = [];
  readonly transferTasks: TransferTaskBody[] = [];
  readonly timerTasks: PendingTimerTask[] = [];
  /** Visibility updates this transaction asks for; see visibility-tasks.ts for the ones derived automatically. */
  readonly visibilityTasks: VisibilityTaskKind[] = [];
  /** A run this transaction starts (continue-as-new, retry, cron); written in the same conditional write. */
  newRun?: MutableState;
  /** Set when the transaction changed the run's status (the current-execution row is rewritten then). */
  statusChanged = false;
  readonly now = new Date();

  constructor(readonly state: WorkflowMutableState) {}

  get info(): ExecutionInfo {
    return this.state.executionInfo!;
  }

  get isRunning(): boolean {
    return !isClosedStatus(this.info.status);
  }

  get workflowTask(): WorkflowTaskInfo | undefined {
    const task = this.state.workflowTask;
    return task && task.scheduledEventId !== 0 ? task : undefined;
  }

  get hasStartedWorkflowTask(): boolean {
    return (this.workflowTask?.startedEventId ?? 0) !== 0;
  }

  get hasChanges(): boolean {
    return (
      this.newEvents.length > 0 ||
      this.transferTasks.length > 0 ||
      this.timerTasks.length > 0 ||
      this.visibilityTasks.length > 0 ||
      this.dirty
    );
  }

  /** Set by changes that produce no event (heartbeats, retries, sticky changes). */
  dirty = false;

  markDirty(): void {
    this.dirty = true;
  }

  /**
   * Adds an event. Results arriving while a workflow task is started wait in the buffer (no id yet) and are
   * written when that task closes.
   */
  addEvent(eventType: EventType, attributes: DeepPartial<HistoryEvent>): HistoryEvent {
    const event = HistoryEvent.fromPartial({ eventTime: this.now, ...attributes, eventType, version: 0 });
    if (this.hasStartedWorkflowTask && !UNBUFFERED_EVENT_TYPES.has(eventType)) {
      this.state.bufferedEvents.push(event);
      this.dirty = true;
      return event;
    }
    return this.appendEvent(event);
  }

  /** Appends a copy of an event of another run (reset rebuilds a run from its base run's history). */
  appendCopiedEvent(event: HistoryEvent): HistoryEvent {
    return this.appendEvent(HistoryEvent.fromPartial({ ...event, version: 0 }));
  }

  private appendEvent(event: HistoryEvent): HistoryEvent {
    event.eventId = this.info.nextEventId++;
    this.newEvents.push(event);
    return event;
  }

  get hasBufferedEvents(): boolean {
    return this.state.bufferedEvents.length > 0;
  }

  /**
   * Writes the buffered events, completions last, and points each result at the ActivityTaskStarted event
   * written with it in the same flush.
   */
  flushBufferedEvents(): void {
    const buffered = this.state.bufferedEvents;
    if (!buffered.length) return;
    this.state.bufferedEvents = [];
    const ordered = [
      ...buffered.filter((e) => !COMPLETION_EVENT_TYPES.has(e.eventType)),
      ...buffered.filter((e) => COMPLETION_EVENT_TYPES.has(e.eventType)),
    ];
    const startedIdBySchedule = new Map<number, number>();
    for (const event of ordered) {
      this.appendEvent(event);
      this.resolveBufferedChildStart(event);
      const started = event.activityTaskStartedEventAttributes;
      if (started) startedIdBySchedule.set(started.scheduledEventId, event.eventId);
      const result = activityResultAttributes(event);
      if (result && startedIdBySchedule.has(result.scheduledEventId)) {
        result.startedEventId = startedIdBySchedule.get(result.scheduledEventId)!;
      }
    }
  }

  /** A child's started event gets its id only when flushed: point the child (and a result in this flush) at it. */
  private resolveBufferedChildStart(event: HistoryEvent): void {
    const started = event.childWorkflowExecutionStartedEventAttributes;
    if (started) {
      const child = this.state.childExecutions[started.initiatedEventId];
      if (child?.startedEventId === BUFFERED_EVENT_ID) child.startedEventId = event.eventId;
      this.flushedChildStarts.set(started.initiatedEventId, event.eventId);
    }
    const result = childResultAttributes(event);
    if (result?.startedEventId === BUFFERED_EVENT_ID)
      result.startedEventId = this.flushedChildStarts.get(result.initiatedEventId) ?? 0;
  }

  private readonly flushedChildStarts = new Map<number, number>();

  /** Buffers an event even though no task is started: results produced while a task's commands are applied. */
  bufferEvent(eventType: EventType, attributes: DeepPartial<HistoryEvent>): void {
    this.state.bufferedEvents.push(
      HistoryEvent.fromPartial({ eventTime: this.now, ...attributes, eventType, version: 0 }),
    );
    this.dirty = true;
  }

  /** Drops results still buffered when the run closes in the same task (upstream discards them too). */
  discardBufferedEvents(): void {
    if (!this.state.bufferedEvents.length) return;
    this.state.bufferedEvents = [];
    this.dirty = true;
  }

  /** Removes a buffered event (a TimerFired whose timer the workflow just canceled). */
  removeBufferedEvent(predicate: (event: HistoryEvent) => boolean): HistoryEvent | undefined {
    const index = this.state.bufferedEvents.findIndex(predicate);
    if (index < 0) return undefined;
    return this.state.bufferedEvents.splice(index, 1)[0];
  }

  addTransferTask(body: DeepPartial<TransferTaskBody>): void {
    this.transferTasks.push(TransferTaskBody.fromPartial(body));
  }

  /**
   * Enqueues a visibility update in this transaction's write. Start, upsert and close are added by the execution
   * manager from the transaction itself; the delete path calls this with VISIBILITY_TASK_KIND_DELETE.
   */
  addVisibilityTask(kind: VisibilityTaskKind): void {
    if (!this.visibilityTasks.includes(kind)) this.visibilityTasks.push(kind);
  }

  addTimerTask(fireTime: number, body: DeepPartial<TimerTaskBody>): void {
    this.timerTasks.push({ fireTime, body: TimerTaskBody.fromPartial(body) });
  }

  setStatus(status: WorkflowExecutionStatus): void {
    this.info.status = status;
    this.statusChanged = true;
    if (!isClosedStatus(status)) return;
    this.info.closeTime = this.now;
    // The parent learns the result and the parent close policy reaches the children, from the transfer queue.
    if (this.info.parent || Object.keys(this.state.childExecutions).length)
      this.addTransferTask({ closeExecution: {} });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Workflow tasks
  // -------------------------------------------------------------------------------------------------------------

  /** The queue the next workflow task goes to: the worker's sticky queue when it has one. */
  private nextWorkflowTaskQueue(): { name: string; kind: TaskQueueKind } {
    return this.info.stickyTaskQueue
      ? { name: this.info.stickyTaskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY }
      : { name: this.info.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL };
  }

  /**
   * Schedules a workflow task. Attempt > 1 makes it transient: its events are not written until it completes,
   * unless other events are written first (then it is an ordinary task again).
   */
  scheduleWorkflowTask(
    attempt = 1,
    options: {
      forceNormalQueue?: boolean;
      originalScheduledTime?: Date;
      speculative?: boolean;
      /** Started at once for a caller that takes it itself (eager start): not sent to matching. */
      eagerWorker?: { requestId: string; identity: string };
    } = {},
  ): WorkflowTaskInfo {
    const queue = options.forceNormalQueue
      ? { name: this.info.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL }
      : this.nextWorkflowTaskQueue();
    const startToClose = this.info.defaultWorkflowTaskTimeout ?? msToDuration(10_000);
    // Transient and speculative tasks write their events only when they complete (speculative: if at all).
    const transient = attempt > 1 || options.speculative === true;
    const task = WorkflowTaskInfo.fromPartial({
      scheduledEventId: this.info.nextEventId,
      attempt,
      startToCloseTimeout: startToClose,
      taskQueue: queue.name,
      taskQueueKind: queue.kind,
      scheduledTime: this.now,
      originalScheduledTime: options.originalScheduledTime ?? this.now,
      type: options.speculative
        ? WorkflowTaskType.WORKFLOW_TASK_TYPE_SPECULATIVE
        : transient
          ? WorkflowTaskType.WORKFLOW_TASK_TYPE_TRANSIENT
          : WorkflowTaskType.WORKFLOW_TASK_TYPE_NORMAL,
    });
    if (!transient) {
      const event = this.addEvent(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, {
        workflowTaskScheduledEventAttributes: {
          taskQueue: {
            name: queue.name,
            kind: queue.kind,
            normalName: queue.kind === TaskQueueKind.TASK_QUEUE_KIND_STICKY ? this.info.taskQueue : '',
          },
          startToCloseTimeout: startToClose,
          attempt,
        },
      });
      task.scheduledEventId = event.eventId;
    }
    this.state.workflowTask = task;
    if (options.eagerWorker) {
      this.startWorkflowTask(task, options.eagerWorker);
      return task;
    }
    this.addTransferTask({
      workflowTask: {
        scheduledEventId: task.scheduledEventId,
        taskQueue: queue.name,
        taskQueueKind: queue.kind,
        scheduleToStartTimeout:
          queue.kind === TaskQueueKind.TASK_QUEUE_KIND_STICKY ? this.info.stickyScheduleToStartTimeout : undefined,
      },
    });
    if (queue.kind === TaskQueueKind.TASK_QUEUE_KIND_STICKY) {
      // A sticky worker that went away must not hold the task: after this timeout it goes to the normal queue.
      this.addTimerTask(
        this.now.getTime() + durationToMs(this.info.stickyScheduleToStartTimeout ?? msToDuration(5_000)),
        {
          workflowTaskTimeout: {
            scheduledEventId: task.scheduledEventId,
            attempt,
            timeoutType: TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START,
          },
        },
      );
    }
    return task;
  }

  /**
   * Starts the scheduled workflow task for a worker (a poll through matching, or an eager start): the started
   * event (for a transient or speculative task only its id, written at completion) and the start-to-close timeout.
   */
  startWorkflowTask(
    task: WorkflowTaskInfo,
    worker: { requestId: string; identity: string; suggestContinueAsNewReasons?: SuggestContinueAsNewReason[] },
  ): void {
    task.startedTime = this.now;
    task.requestId = worker.requestId;
    task.identity = worker.identity;
    task.historySizeBytes = this.info.historySizeBytes;
    task.suggestContinueAsNewReasons = worker.suggestContinueAsNewReasons ?? [];
    if (task.type !== WorkflowTaskType.WORKFLOW_TASK_TYPE_NORMAL) {
      task.startedEventId = task.scheduledEventId + 1;
      this.markDirty();
    } else {
      const event = this.addEvent(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, {
        workflowTaskStartedEventAttributes: {
          scheduledEventId: task.scheduledEventId,
          identity: worker.identity,
          requestId: worker.requestId,
          historySizeBytes: this.info.historySizeBytes,
          suggestContinueAsNew: task.suggestContinueAsNewReasons.length > 0,
          suggestContinueAsNewReasons: task.suggestContinueAsNewReasons,
        },
      });
      task.startedEventId = event.eventId;
    }
    this.addTimerTask(this.now.getTime() + durationToMs(task.startToCloseTimeout), {
      workflowTaskTimeout: {
        scheduledEventId: task.scheduledEventId,
        attempt: task.attempt,
        timeoutType: TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE,
      },
    });
  }

  /**
   * Schedules a workflow task unless one is already pending, or the run still waits for its first task (start
   * delay, retry or cron backoff): the backoff timer schedules that one, and it sees everything recorded so far.
   */
  ensureWorkflowTask(): void {
    if (!this.workflowTask && this.isRunning && !this.awaitingFirstWorkflowTaskBackoff) this.scheduleWorkflowTask();
  }

  get awaitingFirstWorkflowTaskBackoff(): boolean {
    return (
      this.info.lastCompletedWorkflowTaskStartedEventId === 0 &&
      !this.workflowTask &&
      (this.info.executionTime?.getTime() ?? 0) > this.now.getTime()
    );
  }

  /**
   * A transient (or speculative) task turns into an ordinary one when events are written before it starts: its
   * scheduled event must then come after them.
   */
  convertTransientWorkflowTaskIfEventsWritten(): void {
    const task = this.workflowTask;
    if (!task || task.type === WorkflowTaskType.WORKFLOW_TASK_TYPE_NORMAL || task.startedEventId !== 0) return;
    if (task.scheduledEventId === this.info.nextEventId) return;
    this.state.workflowTask = undefined;
    this.scheduleWorkflowTask(1, { originalScheduledTime: task.originalScheduledTime });
  }

  clearWorkflowTask(): void {
    this.state.workflowTask = undefined;
  }

  clearStickyness(): void {
    if (!this.info.stickyTaskQueue) return;
    this.info.stickyTaskQueue = '';
    this.info.stickyScheduleToStartTimeout = undefined;
    this.dirty = true;
  }
}

/** A fresh state for a new run. */
export function newMutableState(info: DeepPartial<ExecutionInfo>): MutableState {
  return new MutableState(WorkflowMutableState.fromPartial({ executionInfo: { nextEventId: 1, ...info } }));
}

// Applying a workflow task's commands (upstream workflow_task_completed_handler.go + command_attr_validator.go).
// All commands are validated before any is applied, so a bad command fails the task without half its effects.
import { randomUUID } from 'node:crypto';
import { cronBackoffMs, durationToMs, isValidCronSchedule, isValidDuration, msToDuration } from '@tempora/common';
import type { Command } from '@tempora/proto/generated/temporal/api/command/v1/message';
import { CommandType } from '@tempora/proto/generated/temporal/api/enums/v1/command_type';
import { EventType } from '@tempora/proto/generated/temporal/api/enums/v1/event_type';
import { WorkflowTaskFailedCause } from '@tempora/proto/generated/temporal/api/enums/v1/failed_cause';
import { TaskQueueKind } from '@tempora/proto/generated/temporal/api/enums/v1/task_queue';
import {
  ContinueAsNewInitiator,
  RetryState,
  TimeoutType,
  WorkflowExecutionStatus,
} from '@tempora/proto/generated/temporal/api/enums/v1/workflow';
import type { Payloads } from '@tempora/proto/generated/temporal/api/common/v1/message';
import type { Failure } from '@tempora/proto/generated/temporal/api/failure/v1/message';
import { ActivityInfo } from '@tempora/proto/generated/tempora/persistence/v1/mutable_state';
import { initiateChild } from './children.js';
import { initiateCancelExternal, initiateSignalExternal } from './external-commands.js';
import type { MutableState } from './mutable-state.js';
import type { NamespaceRef } from '@tempora/namespace';
import { buildNewRun } from './new-run.js';
import { decideRetry, withRetryDefaults } from './retry.js';
import { normalizeWorkflowTimeouts } from './workflow-timeouts.js';

const MAX_ID_LENGTH = 1000;

export class CommandValidationError extends Error {
  constructor(
    readonly failedCause: WorkflowTaskFailedCause,
    message: string,
  ) {
    super(message);
  }

  /** The InvalidArgument message upstream returns: "<CauseName>: <detail>". */
  get rpcMessage(): string {
    const name = WorkflowTaskFailedCause[this.failedCause] ?? 'UNSPECIFIED';
    const pascal = name
      .replace('WORKFLOW_TASK_FAILED_CAUSE_', '')
      .toLowerCase()
      .replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
    return `${pascal}: ${this.message}`;
  }
}

const CLOSE_COMMANDS = new Set([
  CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
]);

const SUPPORTED_COMMANDS = new Set([
  ...CLOSE_COMMANDS,
  CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
  CommandType.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK,
  CommandType.COMMAND_TYPE_START_TIMER,
  CommandType.COMMAND_TYPE_CANCEL_TIMER,
  CommandType.COMMAND_TYPE_RECORD_MARKER,
  CommandType.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
  CommandType.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES,
  CommandType.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_PROTOCOL_MESSAGE,
]);

/** The namespaces commands name (children, external signal/cancel), resolved before the run is locked. */
export interface CommandNamespaces {
  /** The run's own namespace: the target when a command names none. */
  self: NamespaceRef;
  byName: Map<string, NamespaceRef | undefined>;
}

/** The namespace names the commands refer to, to resolve before validation. */
export function commandNamespaceNames(commands: Command[]): string[] {
  const names = commands.map(
    (c) =>
      c.startChildWorkflowExecutionCommandAttributes?.namespace ||
      c.signalExternalWorkflowExecutionCommandAttributes?.namespace ||
      c.requestCancelExternalWorkflowExecutionCommandAttributes?.namespace ||
      '',
  );
  return [...new Set(names.filter(Boolean))];
}

function targetNamespace(namespaces: CommandNamespaces, name: string): NamespaceRef | undefined {
  return name && name !== namespaces.self.name ? namespaces.byName.get(name) : namespaces.self;
}

const RUN_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isCloseCommand(command: Command): boolean {
  return CLOSE_COMMANDS.has(command.commandType);
}

/** Returns an InvalidArgument message when the sequence is malformed (nothing is written then). */
export function validateCommandSequence(commands: Command[]): string | undefined {
  for (const [index, command] of commands.entries()) {
    if (!(command.commandType in CommandType) || command.commandType === CommandType.COMMAND_TYPE_UNSPECIFIED) {
      return `Unknown command type: ${command.commandType}.`;
    }
    if (isCloseCommand(command) && index !== commands.length - 1) {
      return 'invalid command sequence: [' + commands.map((c) => CommandType[c.commandType]).join(', ') + '], command ' + CommandType[command.commandType] + ' must be the last command.';
    }
  }
  return undefined;
}

function badDuration(d: { seconds: number; nanos: number } | undefined): boolean {
  return d !== undefined && !isValidDuration(d);
}

/** Checks every command against the state and the commands before it. Throws CommandValidationError. */
export function validateCommands(ms: MutableState, commands: Command[], namespaces: CommandNamespaces): void {
  const childIdsThisTask = new Set<string>();
  const activityIds = new Set(Object.values(ms.state.activities).map((a) => a.activityId));
  const timerIds = new Set(Object.keys(ms.state.timers));
  for (const command of commands) {
    switch (command.commandType) {
      case CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK: {
        const a = command.scheduleActivityTaskCommandAttributes;
        const cause = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES;
        if (!a) throw new CommandValidationError(cause, 'ScheduleActivityTaskCommandAttributes is not set on ScheduleActivityTaskCommand.');
        if (!a.activityId) throw new CommandValidationError(cause, 'ActivityId is not set on ScheduleActivityTaskCommand.');
        if (!a.activityType?.name) throw new CommandValidationError(cause, 'ActivityType is not set on ScheduleActivityTaskCommand.');
        if (a.activityId.length > MAX_ID_LENGTH) throw new CommandValidationError(cause, 'ActivityID exceeds length limit.');
        if ([a.scheduleToCloseTimeout, a.scheduleToStartTimeout, a.startToCloseTimeout, a.heartbeatTimeout].some(badDuration)) {
          throw new CommandValidationError(cause, 'An invalid timeout is set on ScheduleActivityTaskCommand.');
        }
        if (durationToMs(a.scheduleToCloseTimeout) <= 0 && durationToMs(a.startToCloseTimeout) <= 0) {
          throw new CommandValidationError(cause, 'A valid StartToClose or ScheduleToCloseTimeout is not set on ScheduleActivityTaskCommand.');
        }
        if (activityIds.has(a.activityId)) {
          throw new CommandValidationError(
            WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID,
            `Activity with id ${a.activityId} already exists.`,
          );
        }
        activityIds.add(a.activityId);
        break;
      }
      case CommandType.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK: {
        const id = command.requestCancelActivityTaskCommandAttributes?.scheduledEventId ?? 0;
        if (id <= 0) {
          throw new CommandValidationError(
            WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES,
            'ScheduledEventId is not set on RequestCancelActivityTaskCommand.',
          );
        }
        break;
      }
      case CommandType.COMMAND_TYPE_START_TIMER: {
        const a = command.startTimerCommandAttributes;
        const cause = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES;
        if (!a?.timerId) throw new CommandValidationError(cause, 'TimerId is not set on StartTimerCommand.');
        if (a.timerId.length > MAX_ID_LENGTH) throw new CommandValidationError(cause, 'TimerId exceeds length limit.');
        if (!a.startToFireTimeout || badDuration(a.startToFireTimeout) || durationToMs(a.startToFireTimeout) <= 0) {
          throw new CommandValidationError(cause, 'An invalid StartToFireTimeout is set on StartTimerCommand.');
        }
        if (timerIds.has(a.timerId)) {
          throw new CommandValidationError(
            WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID,
            `Timer with id ${a.timerId} already exists.`,
          );
        }
        timerIds.add(a.timerId);
        break;
      }
      case CommandType.COMMAND_TYPE_CANCEL_TIMER:
        if (!command.cancelTimerCommandAttributes?.timerId) {
          throw new CommandValidationError(
            WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES,
            'TimerId is not set on CancelTimerCommand.',
          );
        }
        break;
      case CommandType.COMMAND_TYPE_RECORD_MARKER:
        if (!command.recordMarkerCommandAttributes?.markerName) {
          throw new CommandValidationError(
            WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES,
            'MarkerName is not set on RecordMarkerCommand.',
          );
        }
        break;
      case CommandType.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION:
        if (!command.failWorkflowExecutionCommandAttributes?.failure) {
          throw new CommandValidationError(
            WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES,
            'Failure is not set on FailWorkflowExecutionCommand.',
          );
        }
        break;
      case CommandType.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
        if (!Object.keys(command.upsertWorkflowSearchAttributesCommandAttributes?.searchAttributes?.indexedFields ?? {}).length) {
          throw new CommandValidationError(
            WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES,
            'SearchAttributes is not set on UpsertWorkflowSearchAttributesCommand.',
          );
        }
        break;
      case CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION: {
        const a = command.continueAsNewWorkflowExecutionCommandAttributes;
        if (!a || [a.workflowRunTimeout, a.workflowTaskTimeout, a.backoffStartInterval].some(badDuration)) {
          throw new CommandValidationError(
            WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES,
            'An invalid timeout is set on ContinueAsNewWorkflowExecutionCommand.',
          );
        }
        break;
      }
      case CommandType.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION: {
        const a = command.startChildWorkflowExecutionCommandAttributes;
        const cause = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES;
        if (!a) throw new CommandValidationError(cause, 'StartChildWorkflowExecutionCommandAttributes is not set on StartChildWorkflowExecutionCommand.');
        const type = a.workflowType?.name ?? '';
        if (!a.workflowId) throw new CommandValidationError(cause, `Required field WorkflowId is not set on StartChildWorkflowExecutionCommand. WorkflowType=${type} Namespace=${a.namespace}`);
        if (!type) throw new CommandValidationError(cause, `Required field WorkflowType is not set on StartChildWorkflowExecutionCommand. WorkflowId=${a.workflowId} Namespace=${a.namespace}`);
        if (a.workflowId.length > MAX_ID_LENGTH) throw new CommandValidationError(cause, `WorkflowId on StartChildWorkflowExecutionCommand exceeds length limit. WorkflowId=${a.workflowId} Length=${a.workflowId.length} Limit=${MAX_ID_LENGTH} WorkflowType=${type} Namespace=${a.namespace}`);
        if (type.length > MAX_ID_LENGTH) throw new CommandValidationError(cause, `WorkflowType on StartChildWorkflowExecutionCommand exceeds length limit. WorkflowId=${a.workflowId} WorkflowType=${type} Length=${type.length} Limit=${MAX_ID_LENGTH} Namespace=${a.namespace}`);
        for (const [name, d] of [['WorkflowExecutionTimeout', a.workflowExecutionTimeout], ['WorkflowRunTimeout', a.workflowRunTimeout], ['WorkflowTaskTimeout', a.workflowTaskTimeout]] as const) {
          if (badDuration(d)) throw new CommandValidationError(cause, `Invalid ${name} on StartChildWorkflowExecutionCommand. WorkflowId=${a.workflowId} WorkflowType=${type} Namespace=${a.namespace}`);
        }
        if (a.cronSchedule && !isValidCronSchedule(a.cronSchedule)) throw new CommandValidationError(cause, `invalid CronSchedule on StartChildWorkflowExecutionCommand. WorkflowId=${a.workflowId} WorkflowType=${type} Namespace=${a.namespace}`);
        if (!targetNamespace(namespaces, a.namespace)) throw new CommandValidationError(cause, `Namespace ${a.namespace} is not found.`);
        childIdsThisTask.add(a.workflowId);
        break;
      }
      case CommandType.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION: {
        const a = command.signalExternalWorkflowExecutionCommandAttributes;
        const cause = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES;
        if (!a) throw new CommandValidationError(cause, 'SignalExternalWorkflowExecutionCommandAttributes is not set on SignalExternalWorkflowExecutionCommand.');
        if (!a.execution) throw new CommandValidationError(cause, 'Execution is not set on SignalExternalWorkflowExecutionCommand.');
        const { workflowId, runId } = a.execution;
        if (!workflowId) throw new CommandValidationError(cause, `WorkflowId is not set on SignalExternalWorkflowExecutionCommand. Namespace=${a.namespace} RunId=${runId} SignalName=${a.signalName}`);
        if (workflowId.length > MAX_ID_LENGTH) throw new CommandValidationError(cause, `WorkflowId on SignalExternalWorkflowExecutionCommand exceeds length limit. WorkflowId=${workflowId} Length=${workflowId.length} Limit=${MAX_ID_LENGTH} Namespace=${a.namespace} RunId=${runId} SignalName=${a.signalName}`);
        if (runId && !RUN_ID_PATTERN.test(runId)) throw new CommandValidationError(cause, `Invalid RunId set on SignalExternalWorkflowExecutionCommand. WorkflowId=${workflowId} Namespace=${a.namespace} RunId=${runId} SignalName=${a.signalName}`);
        if (!a.signalName) throw new CommandValidationError(cause, `SignalName is not set on SignalExternalWorkflowExecutionCommand. WorkflowId=${workflowId} Namespace=${a.namespace} RunId=${runId}`);
        if (!targetNamespace(namespaces, a.namespace)) throw new CommandValidationError(cause, `Namespace ${a.namespace} is not found.`);
        break;
      }
      case CommandType.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION: {
        const a = command.requestCancelExternalWorkflowExecutionCommandAttributes;
        const cause = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES;
        if (!a) throw new CommandValidationError(cause, 'RequestCancelExternalWorkflowExecutionCommandAttributes is not set on RequestCancelExternalWorkflowExecutionCommand.');
        if (!a.workflowId) throw new CommandValidationError(cause, `WorkflowId is not set on RequestCancelExternalWorkflowExecutionCommand. Namespace=${a.namespace} RunId=${a.runId}`);
        if (a.workflowId.length > MAX_ID_LENGTH) throw new CommandValidationError(cause, `WorkflowId on RequestCancelExternalWorkflowExecutionCommand exceeds length limit. WorkflowId=${a.workflowId} Length=${a.workflowId.length} Limit=${MAX_ID_LENGTH} RunId=${a.runId} Namespace=${a.namespace}`);
        if (a.runId && !RUN_ID_PATTERN.test(a.runId)) throw new CommandValidationError(cause, `Invalid RunId set on RequestCancelExternalWorkflowExecutionCommand. WorkflowId=${a.workflowId} RunId=${a.runId} Namespace=${a.namespace}`);
        if (childIdsThisTask.has(a.workflowId)) throw new CommandValidationError(cause, `Start and RequestCancel for child workflow is not allowed in same workflow task. WorkflowId=${a.workflowId} RunId=${a.runId} Namespace=${a.namespace}`);
        if (!targetNamespace(namespaces, a.namespace)) throw new CommandValidationError(cause, `Namespace ${a.namespace} is not found.`);
        break;
      }
      default:
        if (!SUPPORTED_COMMANDS.has(command.commandType)) {
          throw new CommandValidationError(
            unsupportedCause(command.commandType),
            `${CommandType[command.commandType]} is not supported by this server yet.`,
          );
        }
    }
  }
}

function unsupportedCause(type: CommandType): WorkflowTaskFailedCause {
  return type === CommandType.COMMAND_TYPE_PROTOCOL_MESSAGE
    ? WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE
    : WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FEATURE_DISABLED;
}

/** Applies validated commands. Returns whether a new workflow task is needed for events the commands produced. */
export function applyCommands(
  ms: MutableState,
  commands: Command[],
  completedEventId: number,
  identity: string,
  namespaces: CommandNamespaces,
  applyProtocolMessage: (messageId: string) => void = () => {},
): boolean {
  let needsWorkflowTask = false;
  for (const command of commands) {
    if (!ms.isRunning) break; // only the first close command counts
    const userMetadata = command.userMetadata;
    switch (command.commandType) {
      case CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK:
        scheduleActivity(ms, command, completedEventId);
        break;
      case CommandType.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK:
        needsWorkflowTask = requestCancelActivity(ms, command.requestCancelActivityTaskCommandAttributes!.scheduledEventId, completedEventId, identity) || needsWorkflowTask;
        break;
      case CommandType.COMMAND_TYPE_START_TIMER: {
        const a = command.startTimerCommandAttributes!;
        const event = ms.addEvent(EventType.EVENT_TYPE_TIMER_STARTED, {
          userMetadata,
          timerStartedEventAttributes: { timerId: a.timerId, startToFireTimeout: a.startToFireTimeout, workflowTaskCompletedEventId: completedEventId },
        });
        const expiry = ms.now.getTime() + durationToMs(a.startToFireTimeout);
        ms.state.timers[a.timerId] = { timerId: a.timerId, startedEventId: event.eventId, expiryTime: new Date(expiry) };
        ms.addTimerTask(expiry, { userTimer: { timerId: a.timerId, startedEventId: event.eventId } });
        break;
      }
      case CommandType.COMMAND_TYPE_CANCEL_TIMER:
        needsWorkflowTask = cancelTimer(ms, command.cancelTimerCommandAttributes!.timerId, completedEventId, identity) || needsWorkflowTask;
        break;
      case CommandType.COMMAND_TYPE_RECORD_MARKER: {
        const a = command.recordMarkerCommandAttributes!;
        ms.addEvent(EventType.EVENT_TYPE_MARKER_RECORDED, {
          userMetadata,
          markerRecordedEventAttributes: { markerName: a.markerName, details: a.details, header: a.header, failure: a.failure, workflowTaskCompletedEventId: completedEventId },
        });
        break;
      }
      case CommandType.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const fields = command.upsertWorkflowSearchAttributesCommandAttributes!.searchAttributes!.indexedFields;
        ms.addEvent(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, {
          upsertWorkflowSearchAttributesEventAttributes: { workflowTaskCompletedEventId: completedEventId, searchAttributes: { indexedFields: fields } },
        });
        ms.info.searchAttributes = { indexedFields: { ...ms.info.searchAttributes?.indexedFields, ...fields } };
        break;
      }
      case CommandType.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES: {
        const memo = command.modifyWorkflowPropertiesCommandAttributes?.upsertedMemo;
        ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED, {
          workflowPropertiesModifiedEventAttributes: { workflowTaskCompletedEventId: completedEventId, upsertedMemo: memo },
        });
        ms.info.memo = { fields: { ...ms.info.memo?.fields, ...memo?.fields } };
        break;
      }
      case CommandType.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION: {
        const a = command.startChildWorkflowExecutionCommandAttributes!;
        initiateChild(ms, command, completedEventId, targetNamespace(namespaces, a.namespace)!);
        break;
      }
      case CommandType.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION: {
        const a = command.signalExternalWorkflowExecutionCommandAttributes!;
        initiateSignalExternal(ms, command, completedEventId, targetNamespace(namespaces, a.namespace)!);
        break;
      }
      case CommandType.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION: {
        const a = command.requestCancelExternalWorkflowExecutionCommandAttributes!;
        initiateCancelExternal(ms, command, completedEventId, targetNamespace(namespaces, a.namespace)!);
        break;
      }
      case CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION:
        completeWorkflow(ms, command.completeWorkflowExecutionCommandAttributes?.result, completedEventId);
        break;
      case CommandType.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION:
        failWorkflow(ms, command.failWorkflowExecutionCommandAttributes!.failure!, completedEventId);
        break;
      case CommandType.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION: {
        const event = ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED, {
          workflowExecutionCanceledEventAttributes: { workflowTaskCompletedEventId: completedEventId, details: command.cancelWorkflowExecutionCommandAttributes?.details },
        });
        closeRun(ms, event.eventId, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
        break;
      }
      case CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION:
        continueAsNew(ms, command, completedEventId);
        break;
      case CommandType.COMMAND_TYPE_PROTOCOL_MESSAGE:
        applyProtocolMessage(command.protocolMessageCommandAttributes!.messageId);
        break;
    }
  }
  return needsWorkflowTask;
}

function scheduleActivity(ms: MutableState, command: Command, completedEventId: number): void {
  const a = command.scheduleActivityTaskCommandAttributes!;
  const runTimeoutMs = durationToMs(ms.info.workflowRunTimeout);
  const timeouts = normalizeActivityTimeouts(
    durationToMs(a.scheduleToCloseTimeout),
    durationToMs(a.scheduleToStartTimeout),
    durationToMs(a.startToCloseTimeout),
    durationToMs(a.heartbeatTimeout),
    runTimeoutMs,
  );
  const taskQueue = a.taskQueue?.name ? a.taskQueue.name : ms.info.taskQueue;
  const retryPolicy = withRetryDefaults(a.retryPolicy);
  const event = ms.addEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, {
    userMetadata: command.userMetadata,
    activityTaskScheduledEventAttributes: {
      ...a,
      taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      scheduleToCloseTimeout: msToDuration(timeouts.scheduleToCloseMs),
      scheduleToStartTimeout: msToDuration(timeouts.scheduleToStartMs),
      startToCloseTimeout: msToDuration(timeouts.startToCloseMs),
      heartbeatTimeout: msToDuration(timeouts.heartbeatMs),
      retryPolicy,
      workflowTaskCompletedEventId: completedEventId,
    },
  });
  const scheduled = event.activityTaskScheduledEventAttributes!;
  ms.state.activities[event.eventId] = ActivityInfo.fromPartial({
    scheduledEventId: event.eventId,
    activityId: a.activityId,
    scheduled,
    scheduledTime: ms.now,
    firstScheduledTime: ms.now,
    currentAttemptScheduledTime: ms.now,
    attempt: 1,
  });
  dispatchActivityAttempt(ms, event.eventId, 1, timeouts.scheduleToStartMs, timeouts.scheduleToCloseMs);
}

/** Dispatches an attempt to matching and arms its schedule-to-start / schedule-to-close timers. */
export function dispatchActivityAttempt(
  ms: MutableState,
  scheduledEventId: number,
  attempt: number,
  scheduleToStartMs: number,
  scheduleToCloseMs: number,
  options: { dispatch: boolean; firstAttempt: boolean } = { dispatch: true, firstAttempt: true },
): void {
  const now = ms.now.getTime();
  if (options.dispatch) ms.addTransferTask({ activityTask: { scheduledEventId, attempt } });
  if (scheduleToStartMs > 0 && (scheduleToCloseMs === 0 || scheduleToStartMs < scheduleToCloseMs)) {
    ms.addTimerTask(now + scheduleToStartMs, {
      activityTimeout: { scheduledEventId, attempt, timeoutType: TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START },
    });
  }
  if (options.firstAttempt && scheduleToCloseMs > 0) {
    ms.addTimerTask(now + scheduleToCloseMs, {
      activityTimeout: { scheduledEventId, attempt: 0, timeoutType: TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE },
    });
  }
}

/** Upstream validateAndNormalizeTimeouts: derive the unset timeouts and cap everything by the run timeout. */
export function normalizeActivityTimeouts(
  scheduleToCloseMs: number,
  scheduleToStartMs: number,
  startToCloseMs: number,
  heartbeatMs: number,
  runTimeoutMs: number,
) {
  const cap = (ms: number) => (runTimeoutMs > 0 && (ms === 0 || ms > runTimeoutMs) ? runTimeoutMs : ms);
  if (scheduleToCloseMs > 0) {
    scheduleToStartMs = scheduleToStartMs > 0 ? Math.min(scheduleToStartMs, scheduleToCloseMs) : scheduleToCloseMs;
    startToCloseMs = startToCloseMs > 0 ? Math.min(startToCloseMs, scheduleToCloseMs) : scheduleToCloseMs;
  } else {
    scheduleToCloseMs = runTimeoutMs;
    if (scheduleToStartMs <= 0) scheduleToStartMs = runTimeoutMs;
  }
  scheduleToCloseMs = cap(scheduleToCloseMs);
  scheduleToStartMs = cap(scheduleToStartMs);
  startToCloseMs = cap(startToCloseMs);
  heartbeatMs = Math.min(heartbeatMs, startToCloseMs);
  return { scheduleToCloseMs, scheduleToStartMs, startToCloseMs, heartbeatMs };
}

function requestCancelActivity(ms: MutableState, scheduledEventId: number, completedEventId: number, identity: string): boolean {
  const activity = ms.state.activities[scheduledEventId];
  const requested = ms.addEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED, {
    activityTaskCancelRequestedEventAttributes: { scheduledEventId, workflowTaskCompletedEventId: completedEventId },
  });
  if (!activity) return false;
  if (activity.startedEventId === 0) {
    // Not running anywhere: canceled at once. Like every result produced while the task's commands apply, it is
    // buffered: written after the command events, or dropped when the run closes in this task.
    ms.bufferEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED, {
      activityTaskCanceledEventAttributes: { scheduledEventId, startedEventId: 0, latestCancelRequestedEventId: requested.eventId, identity },
    });
    delete ms.state.activities[scheduledEventId];
    return true;
  }
  activity.cancelRequested = true;
  activity.cancelRequestEventId = requested.eventId;
  return false;
}

function cancelTimer(ms: MutableState, timerId: string, completedEventId: number, identity: string): boolean {
  const timer = ms.state.timers[timerId];
  let startedEventId = timer?.startedEventId ?? 0;
  if (timer) {
    delete ms.state.timers[timerId];
  } else {
    // The timer fired while the task ran: its TimerFired is still buffered and is dropped with the cancel.
    const fired = ms.removeBufferedEvent((e) => e.timerFiredEventAttributes?.timerId === timerId);
    startedEventId = fired?.timerFiredEventAttributes?.startedEventId ?? 0;
  }
  ms.addEvent(EventType.EVENT_TYPE_TIMER_CANCELED, {
    timerCanceledEventAttributes: { timerId, startedEventId, workflowTaskCompletedEventId: completedEventId, identity },
  });
  return false;
}

function closeRun(ms: MutableState, closeEventId: number, status: WorkflowExecutionStatus): void {
  ms.info.completionEventId = closeEventId;
  ms.setStatus(status);
}

/** The next cron run's wait, counted from the fire time this run was scheduled for (upstream's ExecutionTime). */
function nextCronBackoffMs(ms: MutableState): number {
  return cronBackoffMs(ms.info.cronSchedule, ms.info.executionTime ?? ms.info.startTime ?? ms.now, ms.now);
}

function completeWorkflow(ms: MutableState, result: Payloads | undefined, completedEventId: number): void {
  const newRun = ms.info.cronSchedule ? chainRun(ms, { initiator: ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE, lastCompletionResult: result, backoffMs: nextCronBackoffMs(ms) }) : undefined;
  const event = ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, {
    workflowExecutionCompletedEventAttributes: { result, workflowTaskCompletedEventId: completedEventId, newExecutionRunId: newRun?.info.runId ?? '' },
  });
  closeRun(ms, event.eventId, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
}



export function failWorkflow(ms: MutableState, failure: Failure, completedEventId: number): void {
  const info = ms.info;
  let retryState = RetryState.RETRY_STATE_RETRY_POLICY_NOT_SET;
  let newRunId = '';
  if (info.retryPolicy) {
    const decision = decideRetry(withRetryDefaults(info.retryPolicy), info.attempt, failure, info.executionExpirationTime?.getTime() ?? 0, ms.now.getTime());
    if (decision.retry) {
      retryState = RetryState.RETRY_STATE_IN_PROGRESS;
      newRunId = chainRun(ms, { initiator: ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_RETRY, continuedFailure: failure, backoffMs: decision.delayMs, attempt: info.attempt + 1 }).info.runId;
    } else {
      retryState = decision.state;
    }
  }
  if (!newRunId && info.cronSchedule) {
    newRunId = chainRun(ms, { initiator: ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE, continuedFailure: failure, backoffMs: nextCronBackoffMs(ms) }).info.runId;
  }
  const event = ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED, {
    workflowExecutionFailedEventAttributes: { failure, retryState, workflowTaskCompletedEventId: completedEventId, newExecutionRunId: newRunId },
  });
  closeRun(ms, event.eventId, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED);
}

function continueAsNew(ms: MutableState, command: Command, completedEventId: number): void {
  const a = command.continueAsNewWorkflowExecutionCommandAttributes!;
  const info = ms.info;
  const newRun = chainRun(ms, {
    initiator: a.initiator || ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_WORKFLOW,
    backoffMs: durationToMs(a.backoffStartInterval),
    workflowType: a.workflowType?.name || info.workflowType,
    taskQueue: a.taskQueue?.name || info.taskQueue,
    input: a.input,
    header: a.header,
    memo: a.memo ?? info.memo,
    searchAttributes: a.searchAttributes ?? info.searchAttributes,
    runTimeout: a.workflowRunTimeout,
    taskTimeout: a.workflowTaskTimeout,
    retryPolicy: a.retryPolicy ?? info.retryPolicy,
    cronSchedule: a.cronSchedule || info.cronSchedule,
    continuedFailure: a.failure,
    lastCompletionResult: a.lastCompletionResult,
    attempt: 1,
  });
  const event = ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW, {
    workflowExecutionContinuedAsNewEventAttributes: {
      newExecutionRunId: newRun.info.runId,
      workflowType: { name: newRun.info.workflowType },
      taskQueue: { name: newRun.info.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      input: a.input,
      workflowRunTimeout: newRun.info.workflowRunTimeout,
      workflowTaskTimeout: newRun.info.defaultWorkflowTaskTimeout,
      workflowTaskCompletedEventId: completedEventId,
      backoffStartInterval: a.backoffStartInterval,
      initiator: a.initiator,
      failure: a.failure,
      lastCompletionResult: a.lastCompletionResult,
      header: a.header,
      memo: newRun.info.memo,
      searchAttributes: newRun.info.searchAttributes,
    },
  });
  closeRun(ms, event.eventId, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW);
}

interface ChainOptions {
  initiator: ContinueAsNewInitiator;
  backoffMs: number;
  attempt?: number;
  continuedFailure?: Failure;
  lastCompletionResult?: Payloads;
  workflowType?: string;
  taskQueue?: string;
  input?: Payloads;
  header?: MutableState['info']['header'];
  memo?: MutableState['info']['memo'];
  searchAttributes?: MutableState['info']['searchAttributes'];
  runTimeout?: { seconds: number; nanos: number };
  taskTimeout?: { seconds: number; nanos: number };
  retryPolicy?: MutableState['info']['retryPolicy'];
  cronSchedule?: string;
}

/** Upstream history.workflowIdReuseMinimalInterval: chained runs start at least this far apart. */
const MIN_RUN_INTERVAL_MS = 1_000;

/** Builds the next run of this workflow id (continue-as-new, retry, cron), written with this transaction. */
export function chainRun(ms: MutableState, o: ChainOptions): MutableState {
  const info = ms.info;
  if (o.initiator !== ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE) {
    // Prevents tight continue-as-new / retry loops, as upstream does.
    const lifetime = ms.now.getTime() - (info.executionTime ?? info.startTime ?? ms.now).getTime();
    if (lifetime + o.backoffMs < MIN_RUN_INTERVAL_MS) o = { ...o, backoffMs: MIN_RUN_INTERVAL_MS - lifetime };
  }
  const timeouts = normalizeWorkflowTimeouts(info.workflowExecutionTimeout, o.runTimeout ?? info.workflowRunTimeout, o.taskTimeout ?? info.defaultWorkflowTaskTimeout);
  const started = ms.state.executionInfo!;
  const newRun = buildNewRun({
    namespaceId: info.namespaceId,
    workflowId: info.workflowId,
    runId: randomUUID(),
    requestId: randomUUID(),
    workflowType: o.workflowType ?? info.workflowType,
    taskQueue: o.taskQueue ?? info.taskQueue,
    input: o.input ?? info.startInput,
    header: o.header ?? info.header,
    memo: o.memo ?? info.memo,
    searchAttributes: o.searchAttributes ?? info.searchAttributes,
    timeouts,
    retryPolicy: o.retryPolicy ?? info.retryPolicy,
    cronSchedule: o.cronSchedule ?? info.cronSchedule,
    attempt: o.attempt ?? 1,
    identity: '',
    firstExecutionRunId: started.firstExecutionRunId,
    executionExpirationTime: info.executionExpirationTime?.getTime() ?? 0,
    backoffMs: o.backoffMs,
    continuedExecutionRunId: info.runId,
    initiator: o.initiator,
    continuedFailure: o.continuedFailure,
    lastCompletionResult: o.lastCompletionResult,
    parent: info.parent,
    rootExecution: info.parent ? info.rootExecution : undefined,
    now: ms.now,
  });
  info.newExecutionRunId = newRun.info.runId;
  ms.newRun = newRun;
  return newRun;
}

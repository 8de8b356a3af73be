import { describe, expect, it } from '@jest/globals';
import { Command } from '@tempora/proto/command';
import { Payload } from '@tempora/proto/common';
import {
  CommandType,
  EventType,
  WorkflowTaskFailedCause,
  TaskQueueKind,
  ContinueAsNewInitiator,
  ParentClosePolicy,
  RetryState,
  TimeoutType,
  WorkflowExecutionStatus,
} from '@tempora/proto/enums';
import { Code, type DeepPartial } from '@tempora/rpc';
import type { MutableState } from '../mutable-state.js';
import { completeWorkflowTask, eventTypes, nextTransaction, startWorkflowTask, startedRun } from '../test-support.js';
import {
  CommandValidationError,
  applyCommands,
  commandNamespaceNames,
  isCloseCommand,
  validateCommandSequence,
  validateCommands,
  type CommandNamespaces,
} from './index.js';
import { normalizeActivityTimeouts } from './schedule-activity.js';

const C = CommandType;
const F = WorkflowTaskFailedCause;
const namespaces: CommandNamespaces = {
  self: { id: 'ns-id', name: 'default' },
  byName: new Map([
    ['other', { id: 'other-id', name: 'other' }],
    ['missing', undefined],
  ]),
};
const RUN_ID = '22222222-2222-4222-8222-222222222222';
const seconds = (s: number) => ({ seconds: s, nanos: 0 });
const payload = (text: string) => Payload.fromPartial({ data: Buffer.from(text) });

function command(commandType: CommandType, attributes: DeepPartial<Command> = {}): Command {
  return Command.fromPartial({ commandType, ...attributes });
}

const activity = (attrs: DeepPartial<NonNullable<Command['scheduleActivityTaskCommandAttributes']>> = {}) =>
  command(C.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK, {
    scheduleActivityTaskCommandAttributes: {
      activityId: 'a1',
      activityType: { name: 'Send' },
      taskQueue: { name: 'work' },
      startToCloseTimeout: seconds(30),
      ...attrs,
    },
  });
const timer = (timerId: string, s = 5) =>
  command(C.COMMAND_TYPE_START_TIMER, { startTimerCommandAttributes: { timerId, startToFireTimeout: seconds(s) } });
const child = (attrs: DeepPartial<NonNullable<Command['startChildWorkflowExecutionCommandAttributes']>> = {}) =>
  command(C.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION, {
    startChildWorkflowExecutionCommandAttributes: { workflowId: 'child', workflowType: { name: 'Child' }, ...attrs },
  });
const signal = (attrs: DeepPartial<NonNullable<Command['signalExternalWorkflowExecutionCommandAttributes']>> = {}) =>
  command(C.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION, {
    signalExternalWorkflowExecutionCommandAttributes: {
      execution: { workflowId: 'target' },
      signalName: 'go',
      ...attrs,
    },
  });
const cancelExternal = (
  attrs: DeepPartial<NonNullable<Command['requestCancelExternalWorkflowExecutionCommandAttributes']>> = {},
) =>
  command(C.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION, {
    requestCancelExternalWorkflowExecutionCommandAttributes: { workflowId: 'target', ...attrs },
  });

/** A run whose first workflow task is started: the state commands are validated against. */
function runWithStartedTask(): MutableState {
  const ms = startedRun();
  startWorkflowTask(ms);
  return nextTransaction(ms);
}

/** The run's next workflow task, scheduled and started after the commands applied, in a new transaction. */
function nextStartedTask(ms: MutableState): MutableState {
  ms.scheduleWorkflowTask();
  startWorkflowTask(ms);
  return nextTransaction(ms);
}

function validationError(ms: MutableState, commands: Command[]): CommandValidationError {
  try {
    validateCommands(ms, commands, namespaces);
  } catch (err) {
    if (err instanceof CommandValidationError) return err;
    throw err;
  }
  throw new Error('the commands validated');
}

/** Completes the started task and applies the commands, as RespondWorkflowTaskCompleted does. */
function apply(ms: MutableState, commands: Command[], applyProtocolMessage: (id: string) => void = () => {}): number {
  validateCommands(ms, commands, namespaces);
  const completedEventId = completeWorkflowTask(ms);
  applyCommands(ms, commands, { completedEventId, identity: 'worker', namespaces, applyProtocolMessage });
  return completedEventId;
}

describe('validateCommands', () => {
  const long = 'x'.repeat(1001);
  const cases: [string, Command[], WorkflowTaskFailedCause, string][] = [
    [
      'schedule activity without attributes',
      [command(C.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK)],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
      'ScheduleActivityTaskCommandAttributes is not set on ScheduleActivityTaskCommand.',
    ],
    [
      'schedule activity without a task queue',
      [activity({ taskQueue: undefined })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
      'taskQueue is not set',
    ],
    [
      'schedule activity with an unnamed task queue',
      [activity({ taskQueue: { name: '' } })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
      'missing task queue name',
    ],
    [
      'schedule activity without id',
      [activity({ activityId: '' })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
      'activityId is not set',
    ],
    [
      'schedule activity without type',
      [activity({ activityType: { name: '' } })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
      'activityType is not set',
    ],
    [
      'schedule activity with a too long id',
      [activity({ activityId: long })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
      'activityId exceeds length limit. Length=1001 Limit=1000',
    ],
    [
      'schedule activity with a negative timeout',
      [activity({ heartbeatTimeout: { seconds: -1, nanos: 0 } })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
      'invalid HeartbeatTimeout: negative duration',
    ],
    [
      'schedule activity with a timeout of mixed signs',
      [activity({ scheduleToCloseTimeout: { seconds: 5, nanos: -1 } })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
      'invalid ScheduleToCloseTimeout: duration has seconds and nanos with different signs',
    ],
    [
      'schedule activity without a close timeout',
      [activity({ startToCloseTimeout: undefined, scheduleToStartTimeout: seconds(5) })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
      'a valid StartToCloseTimeout or ScheduleToCloseTimeout must be set on the activity. ActivityId=a1 ActivityType=Send',
    ],
    [
      'two activities with one id',
      [activity(), activity()],
      F.WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID,
      'invalid history builder state for action: add-activitytask-scheduled-event, ActivityID: a1',
    ],
    [
      'request cancel activity without attributes',
      [command(C.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK)],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES,
      'RequestCancelActivityTaskCommandAttributes is not set on RequestCancelActivityTaskCommand.',
    ],
    [
      'request cancel of an activity the run never scheduled',
      [
        command(C.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK, {
          requestCancelActivityTaskCommandAttributes: { scheduledEventId: 99 },
        }),
      ],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES,
      'invalid history builder state for action: add-activitytask-cancel-requested-event, ScheduledEventID: 99',
    ],
    [
      'request cancel activity without a scheduled id',
      [command(C.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK, { requestCancelActivityTaskCommandAttributes: {} })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES,
      'ScheduledEventId is not set on RequestCancelActivityTaskCommand.',
    ],
    [
      'start timer without attributes',
      [command(C.COMMAND_TYPE_START_TIMER)],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES,
      'StartTimerCommandAttributes is not set on StartTimerCommand.',
    ],
    [
      'start timer without id',
      [timer('')],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES,
      'TimerId is not set on StartTimerCommand.',
    ],
    [
      'start timer with a too long id',
      [timer(long)],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES,
      `TimerId on StartTimerCommand exceeds length limit. TimerId=${long} Length=1001 Limit=1000`,
    ],
    [
      'start timer firing after a negative duration',
      [timer('t', -1)],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES,
      'An invalid StartToFireTimeout is set on StartTimerCommand: negative duration. TimerId=t',
    ],
    [
      'two timers with one id',
      [timer('t'), timer('t')],
      F.WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID,
      'invalid history builder state for action: add-timer-started-event, TimerID: t',
    ],
    [
      'cancel timer without attributes',
      [command(C.COMMAND_TYPE_CANCEL_TIMER)],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES,
      'CancelTimerCommandAttributes is not set on CancelTimerCommand.',
    ],
    [
      'cancel timer without id',
      [command(C.COMMAND_TYPE_CANCEL_TIMER, { cancelTimerCommandAttributes: {} })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES,
      'TimerId is not set on CancelTimerCommand.',
    ],
    [
      'cancel timer with a too long id',
      [command(C.COMMAND_TYPE_CANCEL_TIMER, { cancelTimerCommandAttributes: { timerId: long } })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES,
      `TimerId on CancelTimerCommand exceeds length limit. TimerId=${long} Length=1001 Limit=1000`,
    ],
    [
      'cancel of a timer the run never started',
      [command(C.COMMAND_TYPE_CANCEL_TIMER, { cancelTimerCommandAttributes: { timerId: 'nope' } })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES,
      'invalid history builder state for action: add-timer-canceled-event, TimerID: nope',
    ],
    [
      'a second cancel of one timer',
      [
        timer('t'),
        command(C.COMMAND_TYPE_CANCEL_TIMER, { cancelTimerCommandAttributes: { timerId: 't' } }),
        command(C.COMMAND_TYPE_CANCEL_TIMER, { cancelTimerCommandAttributes: { timerId: 't' } }),
      ],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES,
      'invalid history builder state for action: add-timer-canceled-event, TimerID: t',
    ],
    [
      'record marker without attributes',
      [command(C.COMMAND_TYPE_RECORD_MARKER)],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES,
      'RecordMarkerCommandAttributes is not set on RecordMarkerCommand.',
    ],
    [
      'record marker with a too long name',
      [command(C.COMMAND_TYPE_RECORD_MARKER, { recordMarkerCommandAttributes: { markerName: long } })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES,
      `MarkerName on RecordMarkerCommand exceeds length limit. MarkerName=${long} Length=1001 Limit=1000`,
    ],
    [
      'complete workflow without attributes',
      [command(C.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION)],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_COMPLETE_WORKFLOW_EXECUTION_ATTRIBUTES,
      'CompleteWorkflowExecutionCommandAttributes is not set on CompleteWorkflowExecutionCommand.',
    ],
    [
      'cancel workflow without attributes',
      [command(C.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION)],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_WORKFLOW_EXECUTION_ATTRIBUTES,
      'CancelWorkflowExecutionCommandAttributes is not set on CancelWorkflowExecutionCommand.',
    ],
    [
      'fail workflow without attributes',
      [command(C.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION)],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES,
      'FailWorkflowExecutionCommandAttributes is not set on FailWorkflowExecutionCommand.',
    ],
    [
      'record marker without name',
      [command(C.COMMAND_TYPE_RECORD_MARKER, { recordMarkerCommandAttributes: {} })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES,
      'MarkerName is not set on RecordMarkerCommand.',
    ],
    [
      'fail workflow without failure',
      [command(C.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION, { failWorkflowExecutionCommandAttributes: {} })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES,
      'Failure is not set on FailWorkflowExecutionCommand.',
    ],
    [
      'upsert without attributes',
      [command(C.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES,
      'UpsertWorkflowSearchAttributesCommandAttributes is not set on UpsertWorkflowSearchAttributesCommand.',
    ],
    [
      'upsert without search attributes',
      [
        command(C.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, {
          upsertWorkflowSearchAttributesCommandAttributes: {},
        }),
      ],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES,
      'SearchAttributes is not set on UpsertWorkflowSearchAttributesCommand.',
    ],
    [
      'upsert of no fields',
      [
        command(C.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, {
          upsertWorkflowSearchAttributesCommandAttributes: { searchAttributes: { indexedFields: {} } },
        }),
      ],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES,
      'IndexedFields is not set on UpsertWorkflowSearchAttributesCommand.',
    ],
    [
      'modify properties without attributes',
      [command(C.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES)],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES,
      'ModifyWorkflowPropertiesCommandAttributes is not set on ModifyWorkflowPropertiesCommand.',
    ],
    [
      'modify properties without a memo',
      [command(C.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES, { modifyWorkflowPropertiesCommandAttributes: {} })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES,
      'UpsertedMemo is not set on ModifyWorkflowPropertiesCommand.',
    ],
    [
      'modify properties with an empty memo',
      [
        command(C.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES, {
          modifyWorkflowPropertiesCommandAttributes: { upsertedMemo: { fields: {} } },
        }),
      ],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES,
      'UpsertedMemo.Fields is not set on ModifyWorkflowPropertiesCommand.',
    ],
    [
      'continue-as-new without attributes',
      [command(C.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION)],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES,
      'ContinueAsNewWorkflowExecutionCommandAttributes is not set on ContinueAsNewWorkflowExecutionCommand.',
    ],
    [
      'continue-as-new with a negative run timeout',
      [
        command(C.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION, {
          continueAsNewWorkflowExecutionCommandAttributes: { workflowRunTimeout: { seconds: -1, nanos: 0 } },
        }),
      ],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES,
      'Invalid WorkflowRunTimeout on ContinueAsNewWorkflowExecutionCommand: negative duration. WorkflowType=Greeter TaskQueue=name:"main-queue"  kind:TASK_QUEUE_KIND_NORMAL',
    ],
    [
      'protocol message without attributes',
      [command(C.COMMAND_TYPE_PROTOCOL_MESSAGE)],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE,
      'ProtocolMessageCommandAttributes is not set on ProtocolMessageCommand.',
    ],
    [
      'protocol message without a message id',
      [command(C.COMMAND_TYPE_PROTOCOL_MESSAGE, { protocolMessageCommandAttributes: {} })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE,
      'MessageID is not set on ProtocolMessageCommand.',
    ],
    [
      'start child without attributes',
      [command(C.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION)],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES,
      'StartChildWorkflowExecutionCommandAttributes is not set on StartChildWorkflowExecutionCommand.',
    ],
    [
      'start child without workflow id',
      [child({ workflowId: '' })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES,
      'Required field WorkflowId is not set on StartChildWorkflowExecutionCommand. WorkflowType=Child Namespace=default',
    ],
    [
      'start child without type',
      [child({ workflowType: { name: '' } })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES,
      'Required field WorkflowType is not set on StartChildWorkflowExecutionCommand. WorkflowId=child Namespace=default',
    ],
    [
      'start child with an invalid run timeout',
      [child({ workflowRunTimeout: { seconds: -5, nanos: 0 } })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES,
      'Invalid WorkflowRunTimeout on StartChildWorkflowExecutionCommand: negative duration. WorkflowId=child WorkflowType=Child Namespace=default',
    ],
    [
      'start child with a bad cron schedule',
      [child({ cronSchedule: 'every day' })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES,
      'invalid CronSchedule on StartChildWorkflowExecutionCommand: invalid CronSchedule.. WorkflowId=child WorkflowType=Child Namespace=default',
    ],
    [
      'signal without attributes',
      [command(C.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION)],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
      'SignalExternalWorkflowExecutionCommandAttributes is not set on SignalExternalWorkflowExecutionCommand.',
    ],
    [
      'signal without execution',
      [signal({ execution: undefined })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
      'Execution is not set on SignalExternalWorkflowExecutionCommand.',
    ],
    [
      'signal without workflow id',
      [signal({ execution: { workflowId: '' } })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
      'WorkflowId is not set on SignalExternalWorkflowExecutionCommand. Namespace= RunId= SignalName=go',
    ],
    [
      'signal with a malformed run id',
      [signal({ execution: { workflowId: 'target', runId: 'run-1' } })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
      'Invalid RunId set on SignalExternalWorkflowExecutionCommand. WorkflowId=target Namespace= RunId=run-1 SignalName=go',
    ],
    [
      'signal without a name',
      [signal({ signalName: '' })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
      'SignalName is not set on SignalExternalWorkflowExecutionCommand. WorkflowId=target Namespace= RunId=',
    ],
    [
      'cancel external without workflow id',
      [cancelExternal({ workflowId: '' })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
      'WorkflowId is not set on RequestCancelExternalWorkflowExecutionCommand. Namespace= RunId=',
    ],
    [
      'cancel external with a malformed run id',
      [cancelExternal({ runId: 'nope' })],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
      'Invalid RunId set on RequestCancelExternalWorkflowExecutionCommand. WorkflowId=target RunId=nope Namespace=',
    ],
    [
      'start and cancel one child in one task',
      [child({ workflowId: 'target' }), cancelExternal()],
      F.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
      'Start and RequestCancel for child workflow is not allowed in same workflow task. WorkflowId=target RunId= Namespace=',
    ],
    [
      'a Nexus operation',
      [command(C.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION)],
      F.WORKFLOW_TASK_FAILED_CAUSE_FEATURE_DISABLED,
      'COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION is not supported by this server yet.',
    ],
  ];

  it.each(cases)('rejects %s', (_, commands, cause, message) => {
    const err = validationError(runWithStartedTask(), commands);
    expect([WorkflowTaskFailedCause[err.failedCause], err.message]).toEqual([WorkflowTaskFailedCause[cause], message]);
  });

  it('rejects an activity id or timer id the run already has pending', () => {
    const ms = runWithStartedTask();
    apply(ms, [activity(), timer('t')]);
    const next = nextStartedTask(ms);
    expect(validationError(next, [activity()]).failedCause).toBe(
      F.WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID,
    );
    expect(validationError(next, [timer('t')]).message).toBe(
      'invalid history builder state for action: add-timer-started-event, TimerID: t',
    );
  });

  const cancelActivity = (scheduledEventId: number) =>
    command(C.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK, {
      requestCancelActivityTaskCommandAttributes: { scheduledEventId },
    });
  const cancelTimer = (timerId: string) =>
    command(C.COMMAND_TYPE_CANCEL_TIMER, { cancelTimerCommandAttributes: { timerId } });
  const unknownActivity = (id: number) =>
    `invalid history builder state for action: add-activitytask-cancel-requested-event, ScheduledEventID: ${id}`;

  it('accepts a cancel only for an activity that is pending and not asked to cancel, or whose result is buffered', () => {
    const ms = runWithStartedTask();
    apply(ms, [
      activity({ activityId: 'idle' }),
      activity({ activityId: 'running' }),
      activity({ activityId: 'done' }),
    ]);
    const [idle, running, done] = Object.values(ms.state.activities).map((a) => a.scheduledEventId) as [
      number,
      number,
      number,
    ];
    ms.state.activities[running]!.startedEventId = -1; // started
    const next = nextStartedTask(ms);
    // Completed while this task ran: gone from the pending activities, its result buffered.
    delete next.state.activities[done];
    next.bufferEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, {
      activityTaskCompletedEventAttributes: { scheduledEventId: done },
    });

    // An activity canceled at once by the first command has its result in this task: a second cancel is accepted.
    expect(() => validateCommands(next, [cancelActivity(idle), cancelActivity(idle)], namespaces)).not.toThrow();
    expect(() => validateCommands(next, [cancelActivity(done)], namespaces)).not.toThrow();
    // A running activity asked once is not asked again.
    expect(validationError(next, [cancelActivity(running), cancelActivity(running)]).message).toBe(
      unknownActivity(running),
    );
    apply(next, [cancelActivity(running), cancelActivity(idle)]);
    const later = nextStartedTask(next);
    expect(validationError(later, [cancelActivity(running)]).message).toBe(unknownActivity(running));
    // The activity canceled at once is gone and its result no longer in a task's buffer: nothing left to cancel.
    later.flushBufferedEvents();
    expect(validationError(later, [cancelActivity(idle)]).message).toBe(unknownActivity(idle));
  });

  it('accepts a timer cancel for a pending timer, one started earlier in the task, or one whose TimerFired is buffered', () => {
    const ms = runWithStartedTask();
    apply(ms, [timer('pending'), timer('fired')]);
    const next = nextStartedTask(ms);
    delete next.state.timers['fired'];
    next.bufferEvent(EventType.EVENT_TYPE_TIMER_FIRED, {
      timerFiredEventAttributes: { timerId: 'fired', startedEventId: 6 },
    });

    expect(() =>
      validateCommands(
        next,
        [cancelTimer('pending'), cancelTimer('fired'), timer('new'), cancelTimer('new')],
        namespaces,
      ),
    ).not.toThrow();
    const unknownTimer = (id: string) =>
      `invalid history builder state for action: add-timer-canceled-event, TimerID: ${id}`;
    expect(validationError(next, [cancelTimer('fired'), cancelTimer('fired')]).message).toBe(unknownTimer('fired'));
    expect(validationError(next, [cancelTimer('pending'), cancelTimer('pending')]).message).toBe(
      unknownTimer('pending'),
    );
  });

  it.each([
    ['start child', child({ namespace: 'missing', workflowId: '' })],
    ['signal', signal({ namespace: 'missing', signalName: '' })],
    ['cancel external', cancelExternal({ namespace: 'missing', workflowId: '' })],
  ])('answers NOT_FOUND for a %s naming an unknown namespace, before its attributes are checked', (_, cmd) => {
    const ms = runWithStartedTask();
    expect(() => validateCommands(ms, [cmd], namespaces)).toThrow(
      expect.objectContaining({ code: Code.NOT_FOUND, message: 'Namespace missing is not found.' }),
    );
  });

  it('accepts one valid command of every supported type', () => {
    const first = runWithStartedTask();
    apply(first, [activity({ activityId: 'a0' })]);
    const scheduledEventId = Number(Object.keys(first.state.activities)[0]);
    const ms = nextStartedTask(first);
    const commands = [
      activity(),
      command(C.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK, {
        requestCancelActivityTaskCommandAttributes: { scheduledEventId },
      }),
      timer('t'),
      command(C.COMMAND_TYPE_CANCEL_TIMER, { cancelTimerCommandAttributes: { timerId: 't' } }),
      command(C.COMMAND_TYPE_RECORD_MARKER, { recordMarkerCommandAttributes: { markerName: 'Version' } }),
      command(C.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, {
        upsertWorkflowSearchAttributesCommandAttributes: { searchAttributes: { indexedFields: { Stage: {} } } },
      }),
      command(C.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES, {
        modifyWorkflowPropertiesCommandAttributes: { upsertedMemo: { fields: { note: payload('x') } } },
      }),
      child({ namespace: 'other', cronSchedule: '@every 1h' }),
      signal({ execution: { workflowId: 'target', runId: RUN_ID } }),
      cancelExternal({ runId: RUN_ID }),
      command(C.COMMAND_TYPE_PROTOCOL_MESSAGE, { protocolMessageCommandAttributes: { messageId: 'm1' } }),
      command(C.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, { completeWorkflowExecutionCommandAttributes: {} }),
    ];
    expect(() => validateCommands(ms, commands, namespaces)).not.toThrow();
  });

  it('changes nothing, so a bad command fails the task before any command applies', () => {
    const ms = runWithStartedTask();
    const before = structuredClone(ms.state);
    validationError(ms, [
      timer('t'),
      activity(),
      command(C.COMMAND_TYPE_RECORD_MARKER, { recordMarkerCommandAttributes: {} }),
    ]);
    expect(ms.state).toEqual(before);
    expect([ms.newEvents, ms.timerTasks, ms.transferTasks]).toEqual([[], [], []]);
  });

  it('gives the RPC message upstream uses: the cause in PascalCase, then the detail', () => {
    const err = validationError(runWithStartedTask(), [timer('')]);
    expect(err.rpcMessage).toBe('BadStartTimerAttributes: TimerId is not set on StartTimerCommand.');
  });
});

describe('command sequence', () => {
  const complete = command(C.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION);

  it('requires a close command to be the last one', () => {
    expect(validateCommandSequence([complete, timer('t')])).toBe(
      'invalid command sequence: [CompleteWorkflowExecution, StartTimer], command CompleteWorkflowExecution must be the last command.',
    );
    expect(validateCommandSequence([timer('t'), complete])).toBeUndefined();
  });

  it('rejects unspecified and unknown command types', () => {
    expect(validateCommandSequence([command(C.COMMAND_TYPE_UNSPECIFIED)])).toBe('unknown command type: Unspecified');
    expect(validateCommandSequence([command(99 as CommandType)])).toBe('unknown command type: 99');
  });

  it('knows the four close commands', () => {
    const closing = Object.values(CommandType).filter(
      (t): t is CommandType => typeof t === 'number' && isCloseCommand(command(t)),
    );
    expect(closing.map((t) => CommandType[t])).toEqual([
      'COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION',
      'COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION',
      'COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION',
      'COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION',
    ]);
  });

  it('lists each namespace the commands name once, for resolving before validation', () => {
    expect(
      commandNamespaceNames([
        child({ namespace: 'other' }),
        signal({ namespace: 'other' }),
        cancelExternal({ namespace: 'third' }),
        timer('t'),
        child(),
      ]),
    ).toEqual(['other', 'third']);
  });
});

describe('applyCommands', () => {
  it('schedules an activity: its event with derived timeouts, the pending activity, its dispatch and timers', () => {
    const ms = runWithStartedTask();
    ms.info.workflowRunTimeout = seconds(60);
    const completedEventId = apply(ms, [
      activity({
        scheduleToCloseTimeout: seconds(20),
        startToCloseTimeout: undefined,
        taskQueue: { name: 'main-queue' },
      }),
    ]);

    const [event] = ms.newEvents.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    const a = event!.activityTaskScheduledEventAttributes!;
    expect(a).toMatchObject({
      activityId: 'a1',
      taskQueue: { name: 'main-queue', kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      scheduleToCloseTimeout: seconds(20),
      scheduleToStartTimeout: seconds(20),
      startToCloseTimeout: seconds(20),
      heartbeatTimeout: seconds(0),
      retryPolicy: {
        initialInterval: seconds(1),
        backoffCoefficient: 2,
        maximumInterval: seconds(100),
        maximumAttempts: 0,
      },
      workflowTaskCompletedEventId: completedEventId,
    });
    expect(ms.state.activities[event!.eventId]).toMatchObject({
      scheduledEventId: event!.eventId,
      activityId: 'a1',
      attempt: 1,
      startedEventId: 0,
    });
    expect(ms.transferTasks.map((t) => t.activityTask)).toContainEqual({
      scheduledEventId: event!.eventId,
      attempt: 1,
    });
    // Schedule-to-start equals schedule-to-close here, so only the schedule-to-close timer is armed.
    expect(ms.timerTasks.map((t) => [t.fireTime - ms.now.getTime(), t.body.activityTimeout?.timeoutType])).toEqual([
      [20_000, TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE],
    ]);
  });

  it('derives activity timeouts as upstream does, capped by the run timeout, to the nanosecond', () => {
    const ms = (n: number) => BigInt(n) * 1_000_000n;
    expect(normalizeActivityTimeouts(0n, 0n, ms(30_000), ms(60_000), 0n)).toEqual({
      scheduleToClose: 0n,
      scheduleToStart: 0n,
      startToClose: ms(30_000),
      heartbeat: ms(30_000),
    });
    expect(normalizeActivityTimeouts(ms(10_000), ms(20_000), ms(15_000), 0n, 0n)).toEqual({
      scheduleToClose: ms(10_000),
      scheduleToStart: ms(10_000),
      startToClose: ms(10_000),
      heartbeat: 0n,
    });
    expect(normalizeActivityTimeouts(0n, 0n, ms(30_000), 0n, ms(5_000))).toEqual({
      scheduleToClose: ms(5_000),
      scheduleToStart: ms(5_000),
      startToClose: ms(5_000),
      heartbeat: 0n,
    });
    expect(normalizeActivityTimeouts(0n, 0n, 1n, 100n, 0n)).toEqual({
      scheduleToClose: 0n,
      scheduleToStart: 0n,
      startToClose: 1n,
      heartbeat: 1n,
    });
  });

  it('cancels an activity not started yet at once, with its canceled event buffered after the command events', () => {
    const ms = runWithStartedTask();
    apply(ms, [activity()]);
    const scheduledEventId = Number(Object.keys(ms.state.activities)[0]);
    const next = nextStartedTask(ms);
    apply(next, [
      command(C.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK, {
        requestCancelActivityTaskCommandAttributes: { scheduledEventId },
      }),
    ]);

    expect(eventTypes(next)).toEqual(['WORKFLOW_TASK_COMPLETED', 'ACTIVITY_TASK_CANCEL_REQUESTED']);
    const requested = next.newEvents[1]!;
    expect(
      next.state.bufferedEvents.map((e) => [EventType[e.eventType], e.activityTaskCanceledEventAttributes]),
    ).toEqual([
      [
        'EVENT_TYPE_ACTIVITY_TASK_CANCELED',
        expect.objectContaining({
          scheduledEventId,
          startedEventId: 0,
          latestCancelRequestedEventId: requested.eventId,
          identity: 'worker',
        }),
      ],
    ]);
    expect(next.state.activities).toEqual({});
  });

  it('only marks a started activity as cancel-requested', () => {
    const ms = runWithStartedTask();
    apply(ms, [activity()]);
    const pending = Object.values(ms.state.activities)[0]!;
    pending.startedEventId = -1; // started; its event is written when the activity closes
    const next = nextStartedTask(ms);
    apply(next, [
      command(C.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK, {
        requestCancelActivityTaskCommandAttributes: { scheduledEventId: pending.scheduledEventId },
      }),
    ]);

    expect(next.state.bufferedEvents).toEqual([]);
    expect(next.state.activities[pending.scheduledEventId]).toMatchObject({
      cancelRequested: true,
      cancelRequestEventId: next.newEvents[1]!.eventId,
    });
  });

  it('starts a timer: its event, the pending timer and the timer task at its expiry', () => {
    const ms = runWithStartedTask();
    const completedEventId = apply(ms, [timer('t', 7)]);
    const started = ms.newEvents.at(-1)!;
    expect(started.timerStartedEventAttributes).toEqual({
      timerId: 't',
      startToFireTimeout: seconds(7),
      workflowTaskCompletedEventId: completedEventId,
    });
    const expiry = ms.now.getTime() + 7_000;
    expect(ms.state.timers['t']).toEqual({
      timerId: 't',
      startedEventId: started.eventId,
      expiryTime: new Date(expiry),
    });
    expect(ms.timerTasks.filter((t) => t.body.userTimer)).toEqual([
      {
        fireTime: expiry,
        body: expect.objectContaining({ userTimer: { timerId: 't', startedEventId: started.eventId } }),
      },
    ]);
  });

  it('cancels a pending timer, and one that fired while the task ran (dropping its buffered TimerFired)', () => {
    const ms = runWithStartedTask();
    apply(ms, [timer('pending'), timer('fired')]);
    const firedStartedId = ms.state.timers['fired']!.startedEventId;
    const pendingStartedId = ms.state.timers['pending']!.startedEventId;
    const next = nextStartedTask(ms);
    // The timer queue fires 'fired' while the task is started: the event waits in the buffer.
    delete next.state.timers['fired'];
    next.addEvent(EventType.EVENT_TYPE_TIMER_FIRED, {
      timerFiredEventAttributes: { timerId: 'fired', startedEventId: firedStartedId },
    });
    expect(next.state.bufferedEvents).toHaveLength(1);

    const cancel = (timerId: string) =>
      command(C.COMMAND_TYPE_CANCEL_TIMER, { cancelTimerCommandAttributes: { timerId } });
    const completedEventId = apply(next, [cancel('pending'), cancel('fired')]);
    expect(next.newEvents.slice(1).map((e) => e.timerCanceledEventAttributes)).toEqual([
      {
        timerId: 'pending',
        startedEventId: pendingStartedId,
        workflowTaskCompletedEventId: completedEventId,
        identity: 'worker',
      },
      {
        timerId: 'fired',
        startedEventId: firedStartedId,
        workflowTaskCompletedEventId: completedEventId,
        identity: 'worker',
      },
    ]);
    expect(next.state.timers).toEqual({});
    expect(next.state.bufferedEvents).toEqual([]);
  });

  it('records a marker, and merges upserted search attributes and memo into the run', () => {
    const ms = runWithStartedTask();
    ms.info.searchAttributes = { indexedFields: { Stage: payload('"old"'), Keep: payload('1') } };
    const completedEventId = apply(ms, [
      command(C.COMMAND_TYPE_RECORD_MARKER, {
        recordMarkerCommandAttributes: {
          markerName: 'Version',
          details: { v: { payloads: [{ data: Buffer.from('2') }] } },
        },
      }),
      command(C.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, {
        upsertWorkflowSearchAttributesCommandAttributes: {
          searchAttributes: { indexedFields: { Stage: { data: Buffer.from('"new"') } } },
        },
      }),
      command(C.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES, {
        modifyWorkflowPropertiesCommandAttributes: { upsertedMemo: { fields: { note: { data: Buffer.from('x') } } } },
      }),
    ]);
    expect(eventTypes(ms).slice(-3)).toEqual([
      'MARKER_RECORDED',
      'UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
      'WORKFLOW_PROPERTIES_MODIFIED',
    ]);
    expect(ms.newEvents.at(-3)!.markerRecordedEventAttributes).toMatchObject({
      markerName: 'Version',
      workflowTaskCompletedEventId: completedEventId,
    });
    const text = (fields: Record<string, { data: Uint8Array }> | undefined) =>
      Object.fromEntries(Object.entries(fields ?? {}).map(([k, v]) => [k, Buffer.from(v.data).toString()]));
    expect(text(ms.info.searchAttributes?.indexedFields)).toEqual({ Stage: '"new"', Keep: '1' });
    expect(text(ms.info.memo?.fields)).toEqual({ note: 'x' });
  });

  it('completes the run', () => {
    const ms = runWithStartedTask();
    const completedEventId = apply(ms, [
      command(C.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, {
        completeWorkflowExecutionCommandAttributes: { result: { payloads: [{ data: Buffer.from('ok') }] } },
      }),
    ]);
    const close = ms.newEvents.at(-1)!;
    expect(close.workflowExecutionCompletedEventAttributes).toMatchObject({
      workflowTaskCompletedEventId: completedEventId,
      newExecutionRunId: '',
    });
    expect([WorkflowExecutionStatus[ms.info.status], ms.info.completionEventId, ms.statusChanged, ms.newRun]).toEqual([
      'WORKFLOW_EXECUTION_STATUS_COMPLETED',
      close.eventId,
      true,
      undefined,
    ]);
  });

  it('chains the next cron run when a cron workflow completes', () => {
    const ms = runWithStartedTask();
    ms.info.cronSchedule = '@every 1h';
    apply(ms, [
      command(C.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, {
        completeWorkflowExecutionCommandAttributes: { result: { payloads: [{ data: Buffer.from('ok') }] } },
      }),
    ]);
    const newRun = ms.newRun!;
    expect(ms.newEvents.at(-1)!.workflowExecutionCompletedEventAttributes!.newExecutionRunId).toBe(newRun.info.runId);
    const started = newRun.newEvents[0]!.workflowExecutionStartedEventAttributes!;
    expect(started).toMatchObject({
      initiator: ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE,
      continuedExecutionRunId: ms.info.runId,
      cronSchedule: '@every 1h',
    });
    expect(Buffer.from(started.lastCompletionResult!.payloads[0]!.data).toString()).toBe('ok');
  });

  it('fails the run without another one when it has no retry policy', () => {
    const ms = runWithStartedTask();
    apply(ms, [
      command(C.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION, {
        failWorkflowExecutionCommandAttributes: { failure: { message: 'boom' } },
      }),
    ]);
    expect(ms.newEvents.at(-1)!.workflowExecutionFailedEventAttributes).toMatchObject({
      failure: { message: 'boom' },
      retryState: RetryState.RETRY_STATE_RETRY_POLICY_NOT_SET,
      newExecutionRunId: '',
    });
    expect([WorkflowExecutionStatus[ms.info.status], ms.newRun]).toEqual([
      'WORKFLOW_EXECUTION_STATUS_FAILED',
      undefined,
    ]);
  });

  it('retries a failed run under its retry policy, with the next attempt after the backoff', () => {
    const ms = runWithStartedTask();
    ms.info.retryPolicy = {
      initialInterval: seconds(2),
      backoffCoefficient: 2,
      maximumInterval: undefined,
      maximumAttempts: 3,
      nonRetryableErrorTypes: [],
    };
    apply(ms, [
      command(C.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION, {
        failWorkflowExecutionCommandAttributes: { failure: { message: 'boom' } },
      }),
    ]);
    const newRun = ms.newRun!;
    expect(ms.newEvents.at(-1)!.workflowExecutionFailedEventAttributes).toMatchObject({
      retryState: RetryState.RETRY_STATE_IN_PROGRESS,
      newExecutionRunId: newRun.info.runId,
    });
    expect(newRun.info.attempt).toBe(2);
    expect(newRun.newEvents[0]!.workflowExecutionStartedEventAttributes).toMatchObject({
      initiator: ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_RETRY,
      firstWorkflowTaskBackoff: seconds(2),
      continuedFailure: { message: 'boom' },
    });
  });

  it('cancels the run', () => {
    const ms = runWithStartedTask();
    const completedEventId = apply(ms, [
      command(C.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION, { cancelWorkflowExecutionCommandAttributes: {} }),
    ]);
    expect(ms.newEvents.at(-1)!.workflowExecutionCanceledEventAttributes).toMatchObject({
      workflowTaskCompletedEventId: completedEventId,
    });
    expect(WorkflowExecutionStatus[ms.info.status]).toBe('WORKFLOW_EXECUTION_STATUS_CANCELED');
  });

  it('continues as new with the overrides the command gives and the rest of this run', () => {
    const ms = runWithStartedTask();
    ms.info.memo = { fields: { kept: payload('m') } };
    apply(ms, [
      command(C.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION, {
        continueAsNewWorkflowExecutionCommandAttributes: {
          workflowType: { name: 'Greeter2' },
          input: { payloads: [{ data: Buffer.from('in') }] },
          workflowRunTimeout: seconds(30),
        },
      }),
    ]);
    const newRun = ms.newRun!;
    const event = ms.newEvents.at(-1)!.workflowExecutionContinuedAsNewEventAttributes!;
    expect(event).toMatchObject({
      newExecutionRunId: newRun.info.runId,
      workflowType: { name: 'Greeter2' },
      taskQueue: { name: 'main-queue' },
      workflowRunTimeout: seconds(30),
      workflowTaskTimeout: seconds(10),
    });
    expect(Object.keys(event.memo!.fields)).toEqual(['kept']);
    expect(newRun.info).toMatchObject({
      workflowType: 'Greeter2',
      taskQueue: 'main-queue',
      attempt: 1,
      firstExecutionRunId: ms.info.firstExecutionRunId,
    });
    expect([WorkflowExecutionStatus[ms.info.status], ms.info.newExecutionRunId]).toEqual([
      'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW',
      newRun.info.runId,
    ]);
  });

  it('initiates a child in the namespace it names, with upstream defaults', () => {
    const ms = runWithStartedTask();
    const completedEventId = apply(ms, [child({ namespace: 'other' })]);
    const event = ms.newEvents.at(-1)!;
    expect(event.startChildWorkflowExecutionInitiatedEventAttributes).toMatchObject({
      namespace: 'other',
      namespaceId: 'other-id',
      workflowId: 'child',
      taskQueue: { name: 'main-queue' },
      workflowTaskTimeout: seconds(10),
      parentClosePolicy: ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE,
      workflowTaskCompletedEventId: completedEventId,
    });
    expect(ms.state.childExecutions[event.eventId]).toMatchObject({
      initiatedEventId: event.eventId,
      namespaceId: 'other-id',
      workflowId: 'child',
      workflowType: 'Child',
      startedEventId: 0,
    });
    expect(ms.transferTasks.map((t) => t.startChild)).toContainEqual({ initiatedEventId: event.eventId });
  });

  it('initiates an external signal and an external cancel in the run namespace', () => {
    const ms = runWithStartedTask();
    apply(ms, [signal({ execution: { workflowId: 'target', runId: RUN_ID } }), cancelExternal()]);
    const [signaled, canceled] = ms.newEvents.slice(-2);
    expect(signaled!.signalExternalWorkflowExecutionInitiatedEventAttributes).toMatchObject({
      namespace: 'default',
      namespaceId: 'ns-id',
      workflowExecution: { workflowId: 'target', runId: RUN_ID },
      signalName: 'go',
    });
    expect(canceled!.requestCancelExternalWorkflowExecutionInitiatedEventAttributes).toMatchObject({
      namespace: 'default',
      workflowExecution: { workflowId: 'target', runId: '' },
    });
    expect(Object.keys(ms.state.signals)).toEqual([String(signaled!.eventId)]);
    expect(Object.keys(ms.state.requestCancels)).toEqual([String(canceled!.eventId)]);
    expect(
      ms.transferTasks
        .filter((t) => t.signalExternal || t.cancelExternal)
        .map((t) => [t.signalExternal, t.cancelExternal]),
    ).toEqual([
      [{ initiatedEventId: signaled!.eventId }, undefined],
      [undefined, { initiatedEventId: canceled!.eventId }],
    ]);
  });

  it('places protocol messages at their command position', () => {
    const ms = runWithStartedTask();
    const seen: [string, number][] = [];
    apply(
      ms,
      [
        timer('t'),
        command(C.COMMAND_TYPE_PROTOCOL_MESSAGE, { protocolMessageCommandAttributes: { messageId: 'accept-1' } }),
        timer('u'),
      ],
      (id) => seen.push([id, ms.newEvents.length]),
    );
    expect(seen).toEqual([['accept-1', ms.newEvents.length - 1]]);
  });

  it('applies nothing after the run closed', () => {
    const ms = runWithStartedTask();
    apply(ms, [
      command(C.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, { completeWorkflowExecutionCommandAttributes: {} }),
      timer('late'),
    ]);
    expect(eventTypes(ms).slice(-2)).toEqual(['WORKFLOW_TASK_COMPLETED', 'WORKFLOW_EXECUTION_COMPLETED']);
    expect(ms.state.timers).toEqual({});
  });
});

// ContinueAsNewWorkflowExecution: the next run, with what the command overrides, and this run closed pointing at it.
import { durationToMs } from '@tempora/common';
import {
  EventType,
  WorkflowTaskFailedCause,
  TaskQueueKind,
  ContinueAsNewInitiator,
  WorkflowExecutionStatus,
} from '@tempora/proto/enums';
import { markRunClosed } from '../close-run.js';
import { chainRun } from '../new-run.js';
import {
  CommandValidationError,
  MAX_ID_LENGTH,
  durationProblem,
  taskQueueProblem,
  type CommandHandler,
} from './command-handler.js';

export const continueAsNew: CommandHandler = {
  validate(command, { ms }) {
    const a = command.continueAsNewWorkflowExecutionCommandAttributes;
    const cause = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES;
    if (!a) {
      throw new CommandValidationError(
        cause,
        'ContinueAsNewWorkflowExecutionCommandAttributes is not set on ContinueAsNewWorkflowExecutionCommand.',
      );
    }
    const type = a.workflowType?.name || ms.info.workflowType;
    if (type.length > MAX_ID_LENGTH) {
      throw new CommandValidationError(
        cause,
        `WorkflowType on ContinueAsNewWorkflowExecutionCommand exceeds length limit. WorkflowType=${type} Length=${type.length} Limit=${MAX_ID_LENGTH}`,
      );
    }
    const queue = a.taskQueue?.name || ms.info.taskQueue;
    // Go's text form of the TaskQueue message, as upstream's messages print it.
    const queueText = `name:"${queue}"  kind:TASK_QUEUE_KIND_NORMAL`;
    const queueProblem = taskQueueProblem({ name: queue });
    if (queueProblem) {
      throw new CommandValidationError(
        cause,
        `error validating ContinueAsNewWorkflowExecutionCommand TaskQueue: ${queueProblem}. WorkflowType=${type} TaskQueue=${queueText}`,
      );
    }
    for (const [name, d] of [
      ['WorkflowRunTimeout', a.workflowRunTimeout],
      ['WorkflowTaskTimeout', a.workflowTaskTimeout],
      ['BackoffStartInterval', a.backoffStartInterval],
    ] as const) {
      const problem = durationProblem(d);
      if (problem) {
        throw new CommandValidationError(
          cause,
          `Invalid ${name} on ContinueAsNewWorkflowExecutionCommand: ${problem}. WorkflowType=${type} TaskQueue=${queueText}`,
        );
      }
    }
  },

  apply(command, { ms, completedEventId }) {
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
    markRunClosed(ms, event.eventId, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW);
  },
};

// FailWorkflowExecution: the run fails; its retry policy, else its cron schedule, may chain the next run.
import {
  EventType,
  WorkflowTaskFailedCause,
  ContinueAsNewInitiator,
  RetryState,
  WorkflowExecutionStatus,
} from '@tempora/proto/enums';
import { markRunClosed } from '../close-run.js';
import { chainRun, nextCronBackoffMs } from '../new-run.js';
import { decideRetry, withRetryDefaults } from '../retry.js';
import { CommandValidationError, type CommandHandler } from './command-handler.js';

export const failWorkflow: CommandHandler = {
  validate(command) {
    const a = command.failWorkflowExecutionCommandAttributes;
    const cause = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES;
    if (!a) {
      throw new CommandValidationError(
        cause,
        'FailWorkflowExecutionCommandAttributes is not set on FailWorkflowExecutionCommand.',
      );
    }
    if (!a.failure) throw new CommandValidationError(cause, 'Failure is not set on FailWorkflowExecutionCommand.');
  },

  apply(command, { ms, completedEventId }) {
    const failure = command.failWorkflowExecutionCommandAttributes!.failure!;
    const info = ms.info;
    let retryState = RetryState.RETRY_STATE_RETRY_POLICY_NOT_SET;
    let newRunId = '';
    if (info.retryPolicy) {
      const decision = decideRetry(
        withRetryDefaults(info.retryPolicy),
        info.attempt,
        failure,
        info.executionExpirationTime?.getTime() ?? 0,
        ms.now.getTime(),
      );
      if (decision.retry) {
        retryState = RetryState.RETRY_STATE_IN_PROGRESS;
        newRunId = chainRun(ms, {
          initiator: ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_RETRY,
          continuedFailure: failure,
          backoffMs: decision.delayMs,
          attempt: info.attempt + 1,
        }).info.runId;
      } else {
        retryState = decision.state;
      }
    }
    if (!newRunId && info.cronSchedule) {
      newRunId = chainRun(ms, {
        initiator: ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE,
        continuedFailure: failure,
        backoffMs: nextCronBackoffMs(ms),
      }).info.runId;
    }
    const event = ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED, {
      workflowExecutionFailedEventAttributes: {
        failure,
        retryState,
        workflowTaskCompletedEventId: completedEventId,
        newExecutionRunId: newRunId,
      },
    });
    markRunClosed(ms, event.eventId, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED);
  },
};

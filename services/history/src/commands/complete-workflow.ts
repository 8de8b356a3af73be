// CompleteWorkflowExecution: the run completes; a cron workflow chains its next run first.
import {
  ContinueAsNewInitiator,
  WorkflowExecutionStatus,
  EventType,
  WorkflowTaskFailedCause,
} from '@tempora/proto/enums';
import { markRunClosed } from '../close-run.js';
import { chainRun, nextCronBackoffMs } from '../new-run.js';
import { CommandValidationError, type CommandHandler } from './command-handler.js';

export const completeWorkflow: CommandHandler = {
  validate(command) {
    if (!command.completeWorkflowExecutionCommandAttributes) {
      throw new CommandValidationError(
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_COMPLETE_WORKFLOW_EXECUTION_ATTRIBUTES,
        'CompleteWorkflowExecutionCommandAttributes is not set on CompleteWorkflowExecutionCommand.',
      );
    }
  },

  apply(command, { ms, completedEventId }) {
    const result = command.completeWorkflowExecutionCommandAttributes?.result;
    const newRun = ms.info.cronSchedule
      ? chainRun(ms, {
          initiator: ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE,
          lastCompletionResult: result,
          backoffMs: nextCronBackoffMs(ms),
        })
      : undefined;
    const event = ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, {
      workflowExecutionCompletedEventAttributes: {
        result,
        workflowTaskCompletedEventId: completedEventId,
        newExecutionRunId: newRun?.info.runId ?? '',
      },
    });
    markRunClosed(ms, event.eventId, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
  },
};

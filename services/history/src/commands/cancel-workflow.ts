// CancelWorkflowExecution: the run closes as canceled (no retry, no cron run, as upstream).
import { EventType, WorkflowExecutionStatus, WorkflowTaskFailedCause } from '@tempora/proto/enums';
import { markRunClosed } from '../close-run.js';
import { CommandValidationError, type CommandHandler } from './command-handler.js';

export const cancelWorkflow: CommandHandler = {
  validate(command) {
    if (!command.cancelWorkflowExecutionCommandAttributes) {
      throw new CommandValidationError(
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_WORKFLOW_EXECUTION_ATTRIBUTES,
        'CancelWorkflowExecutionCommandAttributes is not set on CancelWorkflowExecutionCommand.',
      );
    }
  },

  apply(command, { ms, completedEventId }) {
    const event = ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED, {
      workflowExecutionCanceledEventAttributes: {
        workflowTaskCompletedEventId: completedEventId,
        details: command.cancelWorkflowExecutionCommandAttributes?.details,
      },
    });
    markRunClosed(ms, event.eventId, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
  },
};

// CancelWorkflowExecution: the run closes as canceled (no retry, no cron run, as upstream).
import { EventType, WorkflowExecutionStatus } from '@tempora/proto/enums';
import { markRunClosed } from '../close-run.js';
import type { CommandHandler } from './command-handler.js';

export const cancelWorkflow: CommandHandler = {
  validate() {},

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

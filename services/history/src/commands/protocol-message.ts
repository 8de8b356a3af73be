// ProtocolMessage: places an update's acceptance or response in the history at this command's position. The
// messages are validated with the task's other update messages (updates/workflow-task-messages.ts).
import { WorkflowTaskFailedCause } from '@tempora/proto/enums';
import { CommandValidationError, type CommandHandler } from './command-handler.js';

export const protocolMessage: CommandHandler = {
  validate(command) {
    const a = command.protocolMessageCommandAttributes;
    const cause = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE;
    if (!a) {
      throw new CommandValidationError(cause, 'ProtocolMessageCommandAttributes is not set on ProtocolMessageCommand.');
    }
    if (!a.messageId) throw new CommandValidationError(cause, 'MessageID is not set on ProtocolMessageCommand.');
  },

  apply(command, { applyProtocolMessage }) {
    applyProtocolMessage(command.protocolMessageCommandAttributes!.messageId);
  },
};

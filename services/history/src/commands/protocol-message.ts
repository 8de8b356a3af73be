// ProtocolMessage: places an update's acceptance or response in the history at this command's position. The
// messages are validated with the task's other update messages (updates/workflow-task-messages.ts).
import type { CommandHandler } from './command-handler.js';

export const protocolMessage: CommandHandler = {
  validate() {},

  apply(command, { applyProtocolMessage }) {
    applyProtocolMessage(command.protocolMessageCommandAttributes!.messageId);
  },
};

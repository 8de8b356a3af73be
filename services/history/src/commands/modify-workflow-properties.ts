// ModifyWorkflowProperties: the WorkflowPropertiesModified event and the run's merged memo.
import { EventType, WorkflowTaskFailedCause } from '@tempora/proto/enums';
import { CommandValidationError, type CommandHandler } from './command-handler.js';

export const modifyWorkflowProperties: CommandHandler = {
  validate(command) {
    const a = command.modifyWorkflowPropertiesCommandAttributes;
    const cause = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES;
    if (!a) {
      throw new CommandValidationError(
        cause,
        'ModifyWorkflowPropertiesCommandAttributes is not set on ModifyWorkflowPropertiesCommand.',
      );
    }
    if (!a.upsertedMemo)
      throw new CommandValidationError(cause, 'UpsertedMemo is not set on ModifyWorkflowPropertiesCommand.');
    if (!Object.keys(a.upsertedMemo.fields).length) {
      throw new CommandValidationError(cause, 'UpsertedMemo.Fields is not set on ModifyWorkflowPropertiesCommand.');
    }
  },

  apply(command, { ms, completedEventId }) {
    const memo = command.modifyWorkflowPropertiesCommandAttributes!.upsertedMemo!;
    ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED, {
      workflowPropertiesModifiedEventAttributes: { workflowTaskCompletedEventId: completedEventId, upsertedMemo: memo },
    });
    ms.info.memo = { fields: { ...ms.info.memo?.fields, ...memo.fields } };
  },
};

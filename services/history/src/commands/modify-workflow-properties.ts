// ModifyWorkflowProperties: the WorkflowPropertiesModified event and the run's merged memo.
import { EventType } from '@tempora/proto/enums';
import type { CommandHandler } from './command-handler.js';

export const modifyWorkflowProperties: CommandHandler = {
  validate() {},

  apply(command, { ms, completedEventId }) {
    const memo = command.modifyWorkflowPropertiesCommandAttributes?.upsertedMemo;
    ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED, {
      workflowPropertiesModifiedEventAttributes: { workflowTaskCompletedEventId: completedEventId, upsertedMemo: memo },
    });
    ms.info.memo = { fields: { ...ms.info.memo?.fields, ...memo?.fields } };
  },
};

// UpsertWorkflowSearchAttributes: the event and the run's merged search attributes. The values are checked against
// the namespace's registered attributes separately (search-attribute-commands.ts), as that needs a store read.
import { EventType, WorkflowTaskFailedCause } from '@tempora/proto/enums';
import { CommandValidationError, type CommandHandler } from './command-handler.js';

export const upsertSearchAttributes: CommandHandler = {
  validate(command) {
    const a = command.upsertWorkflowSearchAttributesCommandAttributes;
    const cause = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES;
    if (!a) {
      throw new CommandValidationError(
        cause,
        'UpsertWorkflowSearchAttributesCommandAttributes is not set on UpsertWorkflowSearchAttributesCommand.',
      );
    }
    if (!a.searchAttributes) {
      throw new CommandValidationError(cause, 'SearchAttributes is not set on UpsertWorkflowSearchAttributesCommand.');
    }
    if (!Object.keys(a.searchAttributes.indexedFields).length) {
      throw new CommandValidationError(cause, 'IndexedFields is not set on UpsertWorkflowSearchAttributesCommand.');
    }
  },

  apply(command, { ms, completedEventId }) {
    const fields = command.upsertWorkflowSearchAttributesCommandAttributes!.searchAttributes!.indexedFields;
    ms.addEvent(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, {
      upsertWorkflowSearchAttributesEventAttributes: {
        workflowTaskCompletedEventId: completedEventId,
        searchAttributes: { indexedFields: fields },
      },
    });
    ms.info.searchAttributes = { indexedFields: { ...ms.info.searchAttributes?.indexedFields, ...fields } };
  },
};

// RecordMarker: a MarkerRecorded event (SDK side effects, versions, local activities), no state.
import { EventType, WorkflowTaskFailedCause } from '@tempora/proto/enums';
import { CommandValidationError, type CommandHandler } from './command-handler.js';

export const recordMarker: CommandHandler = {
  validate(command) {
    if (!command.recordMarkerCommandAttributes?.markerName) {
      throw new CommandValidationError(
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES,
        'MarkerName is not set on RecordMarkerCommand.',
      );
    }
  },

  apply(command, { ms, completedEventId }) {
    const a = command.recordMarkerCommandAttributes!;
    ms.addEvent(EventType.EVENT_TYPE_MARKER_RECORDED, {
      userMetadata: command.userMetadata,
      markerRecordedEventAttributes: {
        markerName: a.markerName,
        details: a.details,
        header: a.header,
        failure: a.failure,
        workflowTaskCompletedEventId: completedEventId,
      },
    });
  },
};

// RecordMarker: a MarkerRecorded event (SDK side effects, versions, local activities), no state.
import { EventType, WorkflowTaskFailedCause } from '@tempora/proto/enums';
import { CommandValidationError, MAX_ID_LENGTH, type CommandHandler } from './command-handler.js';

export const recordMarker: CommandHandler = {
  validate(command) {
    const a = command.recordMarkerCommandAttributes;
    const cause = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES;
    if (!a) throw new CommandValidationError(cause, 'RecordMarkerCommandAttributes is not set on RecordMarkerCommand.');
    if (!a.markerName) throw new CommandValidationError(cause, 'MarkerName is not set on RecordMarkerCommand.');
    if (a.markerName.length > MAX_ID_LENGTH) {
      throw new CommandValidationError(
        cause,
        `MarkerName on RecordMarkerCommand exceeds length limit. MarkerName=${a.markerName} Length=${a.markerName.length} Limit=${MAX_ID_LENGTH}`,
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

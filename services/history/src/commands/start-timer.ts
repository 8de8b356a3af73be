// StartTimer: the TimerStarted event, the pending timer and the timer task that fires it.
import { capDuration, durationToMs } from '@tempora/common';
import { EventType, WorkflowTaskFailedCause } from '@tempora/proto/enums';
import {
  CommandValidationError,
  MAX_ID_LENGTH,
  durationProblem,
  invalidHistoryAction,
  type CommandHandler,
} from './command-handler.js';

export const startTimer: CommandHandler = {
  validate(command, { timerIds }) {
    const a = command.startTimerCommandAttributes;
    const cause = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES;
    if (!a) throw new CommandValidationError(cause, 'StartTimerCommandAttributes is not set on StartTimerCommand.');
    if (!a.timerId) throw new CommandValidationError(cause, 'TimerId is not set on StartTimerCommand.');
    if (a.timerId.length > MAX_ID_LENGTH) {
      throw new CommandValidationError(
        cause,
        `TimerId on StartTimerCommand exceeds length limit. TimerId=${a.timerId} Length=${a.timerId.length} Limit=${MAX_ID_LENGTH}`,
      );
    }
    // Unset or zero fires at once, as upstream.
    const problem = durationProblem(a.startToFireTimeout);
    if (problem) {
      throw new CommandValidationError(
        cause,
        `An invalid StartToFireTimeout is set on StartTimerCommand: ${problem}. TimerId=${a.timerId}`,
      );
    }
    if (timerIds.has(a.timerId)) {
      throw new CommandValidationError(
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID,
        invalidHistoryAction('add-timer-started-event', `TimerID: ${a.timerId}`),
      );
    }
    timerIds.add(a.timerId);
  },

  apply(command, { ms, completedEventId }) {
    const a = command.startTimerCommandAttributes!;
    const event = ms.addEvent(EventType.EVENT_TYPE_TIMER_STARTED, {
      userMetadata: command.userMetadata,
      timerStartedEventAttributes: {
        timerId: a.timerId,
        // As given, to the nanosecond; beyond 100 years capped to 100 years, as upstream.
        startToFireTimeout: capDuration(a.startToFireTimeout),
        workflowTaskCompletedEventId: completedEventId,
      },
    });
    const expiry = ms.now.getTime() + durationToMs(a.startToFireTimeout);
    ms.state.timers[a.timerId] = { timerId: a.timerId, startedEventId: event.eventId, expiryTime: new Date(expiry) };
    ms.addTimerTask(expiry, { userTimer: { timerId: a.timerId, startedEventId: event.eventId } });
  },
};

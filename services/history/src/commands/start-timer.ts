// StartTimer: the TimerStarted event, the pending timer and the timer task that fires it.
import { durationToMs } from '@tempora/common';
import { EventType, WorkflowTaskFailedCause } from '@tempora/proto/enums';
import { CommandValidationError, MAX_ID_LENGTH, badDuration, type CommandHandler } from './command-handler.js';

export const startTimer: CommandHandler = {
  validate(command, { timerIds }) {
    const a = command.startTimerCommandAttributes;
    const cause = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES;
    if (!a?.timerId) throw new CommandValidationError(cause, 'TimerId is not set on StartTimerCommand.');
    if (a.timerId.length > MAX_ID_LENGTH) throw new CommandValidationError(cause, 'TimerId exceeds length limit.');
    if (!a.startToFireTimeout || badDuration(a.startToFireTimeout) || durationToMs(a.startToFireTimeout) <= 0) {
      throw new CommandValidationError(cause, 'An invalid StartToFireTimeout is set on StartTimerCommand.');
    }
    if (timerIds.has(a.timerId)) {
      throw new CommandValidationError(
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID,
        `Timer with id ${a.timerId} already exists.`,
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
        startToFireTimeout: a.startToFireTimeout,
        workflowTaskCompletedEventId: completedEventId,
      },
    });
    const expiry = ms.now.getTime() + durationToMs(a.startToFireTimeout);
    ms.state.timers[a.timerId] = { timerId: a.timerId, startedEventId: event.eventId, expiryTime: new Date(expiry) };
    ms.addTimerTask(expiry, { userTimer: { timerId: a.timerId, startedEventId: event.eventId } });
  },
};

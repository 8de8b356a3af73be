// CancelTimer: the TimerCanceled event, for a pending timer or one that fired while the task ran.
import { EventType, WorkflowTaskFailedCause } from '@tempora/proto/enums';
import { CommandValidationError, MAX_ID_LENGTH, invalidHistoryAction, type CommandHandler } from './command-handler.js';

export const cancelTimer: CommandHandler = {
  validate(command, { ms, timerIds, firedTimersCanceled }) {
    const a = command.cancelTimerCommandAttributes;
    const cause = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES;
    if (!a) throw new CommandValidationError(cause, 'CancelTimerCommandAttributes is not set on CancelTimerCommand.');
    const { timerId } = a;
    if (!timerId) throw new CommandValidationError(cause, 'TimerId is not set on CancelTimerCommand.');
    if (timerId.length > MAX_ID_LENGTH) {
      throw new CommandValidationError(
        cause,
        `TimerId on CancelTimerCommand exceeds length limit. TimerId=${timerId} Length=${timerId.length} Limit=${MAX_ID_LENGTH}`,
      );
    }
    // As upstream: only a pending timer (or one started earlier in this task), or one whose TimerFired is still
    // buffered, can be canceled; anything else never existed here.
    if (timerIds.delete(timerId)) return;
    const fired = ms.state.bufferedEvents.some((e) => e.timerFiredEventAttributes?.timerId === timerId);
    if (fired && !firedTimersCanceled.has(timerId)) {
      firedTimersCanceled.add(timerId);
      return;
    }
    throw new CommandValidationError(cause, invalidHistoryAction('add-timer-canceled-event', `TimerID: ${timerId}`));
  },

  apply(command, { ms, completedEventId, identity }) {
    const timerId = command.cancelTimerCommandAttributes!.timerId;
    const timer = ms.state.timers[timerId];
    let startedEventId = timer?.startedEventId ?? 0;
    if (timer) {
      delete ms.state.timers[timerId];
    } else {
      // The timer fired while the task ran: its TimerFired is still buffered and is dropped with the cancel.
      const fired = ms.removeBufferedEvent((e) => e.timerFiredEventAttributes?.timerId === timerId);
      startedEventId = fired?.timerFiredEventAttributes?.startedEventId ?? 0;
    }
    ms.addEvent(EventType.EVENT_TYPE_TIMER_CANCELED, {
      timerCanceledEventAttributes: {
        timerId,
        startedEventId,
        workflowTaskCompletedEventId: completedEventId,
        identity,
      },
    });
  },
};

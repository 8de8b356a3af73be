// CancelTimer: the TimerCanceled event, for a pending timer or one that fired while the task ran.
import { EventType, WorkflowTaskFailedCause } from '@tempora/proto/enums';
import { CommandValidationError, type CommandHandler } from './command-handler.js';

export const cancelTimer: CommandHandler = {
  validate(command) {
    if (!command.cancelTimerCommandAttributes?.timerId) {
      throw new CommandValidationError(
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES,
        'TimerId is not set on CancelTimerCommand.',
      );
    }
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

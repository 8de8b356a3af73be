import { durationToMs } from '@tempora/common';
import { TimeoutType } from '@tempora/proto/enums';
import type { RecordActivityTaskStartedRequest, RecordActivityTaskStartedResponse } from '@tempora/proto/internal';
import { Code, RpcError, notFound, type DeepPartial } from '@tempora/rpc';
import { ACTIVITY_STARTED_MARKER } from '../activities.js';
import type { HistoryContext } from '../context.js';
import { encodeActivityTaskToken } from '../tokens.js';

export function recordActivityTaskStarted(ctx: HistoryContext) {
  return async (req: RecordActivityTaskStartedRequest): Promise<DeepPartial<RecordActivityTaskStartedResponse>> => {
    const execution = req.execution!;
    const engine = ctx.shards.engineFor(req.namespaceId, execution.workflowId);
    const key = { namespaceId: req.namespaceId, workflowId: execution.workflowId, runId: execution.runId };
    const identity = req.pollRequest?.identity ?? '';
    return engine.executions.update(key, (ms) => {
      if (!ms.isRunning) throw notFound('Workflow execution already completed.');
      const activity = ms.state.activities[req.scheduledEventId];
      if (!activity || activity.attempt !== req.attempt) throw notFound('Activity task not found.');
      // A task dispatched before PauseActivity is dropped by matching; UnpauseActivity dispatches the attempt again.
      if (activity.paused && activity.startedEventId === 0) {
        throw new RpcError(Code.FAILED_PRECONDITION, 'Activity is paused.');
      }
      if (activity.startedEventId !== 0 && activity.startRequestId !== req.requestId) {
        throw new RpcError(Code.ALREADY_EXISTS, 'Activity task already started.');
      }
      if (activity.startedEventId === 0) {
        activity.startedEventId = ACTIVITY_STARTED_MARKER;
        activity.startedTime = ms.now;
        activity.startedIdentity = identity;
        activity.startRequestId = req.requestId;
        activity.lastWorkerIdentity = identity;
        const scheduled = activity.scheduled!;
        const startToCloseMs = durationToMs(scheduled.startToCloseTimeout);
        const now = ms.now.getTime();
        if (startToCloseMs > 0) {
          ms.addTimerTask(now + startToCloseMs, {
            activityTimeout: {
              scheduledEventId: activity.scheduledEventId,
              attempt: activity.attempt,
              timeoutType: TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE,
            },
          });
        }
        const heartbeatMs = durationToMs(scheduled.heartbeatTimeout);
        if (heartbeatMs > 0) {
          ms.addTimerTask(now + heartbeatMs, {
            activityTimeout: {
              scheduledEventId: activity.scheduledEventId,
              attempt: activity.attempt,
              timeoutType: TimeoutType.TIMEOUT_TYPE_HEARTBEAT,
            },
          });
        }
      }
      const scheduled = activity.scheduled!;
      return {
        response: {
          taskToken: encodeActivityTaskToken({
            namespaceId: req.namespaceId,
            workflowId: execution.workflowId,
            runId: execution.runId,
            scheduledEventId: activity.scheduledEventId,
            attempt: activity.attempt,
            activityId: activity.activityId,
            activityType: scheduled.activityType?.name ?? '',
          }),
          workflowNamespace: req.pollRequest?.namespace ?? '',
          workflowType: { name: ms.info.workflowType },
          workflowExecution: { workflowId: execution.workflowId, runId: execution.runId },
          activityType: scheduled.activityType,
          activityId: activity.activityId,
          header: scheduled.header,
          input: scheduled.input,
          heartbeatDetails: activity.lastHeartbeatDetails,
          scheduledTime: activity.firstScheduledTime,
          currentAttemptScheduledTime: activity.currentAttemptScheduledTime,
          startedTime: activity.startedTime,
          attempt: activity.attempt,
          scheduleToCloseTimeout: scheduled.scheduleToCloseTimeout,
          startToCloseTimeout: scheduled.startToCloseTimeout,
          heartbeatTimeout: scheduled.heartbeatTimeout,
          retryPolicy: scheduled.retryPolicy,
          priority: scheduled.priority,
        },
      };
    });
  };
}

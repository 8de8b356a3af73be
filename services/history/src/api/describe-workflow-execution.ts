import { durationToMs } from '@tempora/common';
import { EventType, TaskQueueKind, PendingActivityState, PendingWorkflowTaskState } from '@tempora/proto/enums';
import type { DescribeWorkflowExecutionRequest, DescribeWorkflowExecutionResponse } from '@tempora/proto/internal';
import type { ActivityInfo } from '@tempora/proto/persistence';
import type { DeepPartial } from '@tempora/rpc';
import { activityOptionsOf } from '../activity-operations.js';
import type { HistoryContext } from '../context.js';

export function describeWorkflowExecution(ctx: HistoryContext) {
  return async ({
    namespaceId,
    request,
  }: DescribeWorkflowExecutionRequest): Promise<DeepPartial<DescribeWorkflowExecutionResponse>> => {
    const execution = request!.execution!;
    const engine = ctx.shards.engineFor(namespaceId, execution.workflowId);
    const runId = await engine.executions.resolveRunId(namespaceId, execution.workflowId, execution.runId);
    return engine.executions.read({ namespaceId, workflowId: execution.workflowId, runId }, (ms) => {
      const info = ms.info;
      const task = ms.workflowTask;
      const taskQueue = { name: info.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL };
      return {
        response: {
          workflowExtendedInfo: {
            executionExpirationTime: info.executionExpirationTime,
            runExpirationTime: info.runExpirationTime,
            cancelRequested: info.cancelRequested,
            lastResetTime: info.lastResetTime,
            originalStartTime: info.originalStartTime ?? info.startTime,
            resetRunId: info.resetRunId,
            // The start's request id is the one Tempora keeps per run (upstream also lists later attached ones).
            requestIdInfos: info.createRequestId
              ? {
                  [info.createRequestId]: {
                    eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
                    eventId: 1,
                    buffered: false,
                  },
                }
              : {},
          },
          executionConfig: {
            taskQueue,
            workflowExecutionTimeout: info.workflowExecutionTimeout,
            workflowRunTimeout: info.workflowRunTimeout,
            defaultWorkflowTaskTimeout: info.defaultWorkflowTaskTimeout,
          },
          workflowExecutionInfo: {
            execution: { workflowId: info.workflowId, runId: info.runId },
            type: { name: info.workflowType },
            startTime: info.startTime,
            closeTime: info.closeTime,
            status: info.status,
            historyLength: info.nextEventId - 1,
            executionTime: info.executionTime,
            memo: info.memo,
            searchAttributes: info.searchAttributes,
            autoResetPoints: info.autoResetPoints,
            taskQueue: info.taskQueue,
            stateTransitionCount: info.stateTransitionCount,
            historySizeBytes: info.historySizeBytes,
            firstRunId: info.firstExecutionRunId,
            parentNamespaceId: info.parent?.namespaceId ?? '',
            parentExecution: info.parent && { workflowId: info.parent.workflowId, runId: info.parent.runId },
            rootExecution: info.rootExecution,
            priority: info.priority,
            versioningInfo: info.versioningOverride && { versioningOverride: info.versioningOverride },
            executionDuration:
              info.closeTime && info.executionTime
                ? { seconds: Math.floor((info.closeTime.getTime() - info.executionTime.getTime()) / 1000), nanos: 0 }
                : undefined,
          },
          pendingActivities: Object.values(ms.state.activities).map((activity) => pendingActivity(activity, ms.now)),
          pendingChildren: Object.values(ms.state.childExecutions).map((child) => ({
            workflowId: child.workflowId,
            runId: child.startedRunId,
            workflowTypeName: child.workflowType,
            initiatedId: child.initiatedEventId,
            parentClosePolicy: child.parentClosePolicy,
          })),
          pendingWorkflowTask: task && {
            state: task.startedEventId
              ? PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED
              : PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_SCHEDULED,
            scheduledTime: task.scheduledTime,
            originalScheduledTime: task.originalScheduledTime,
            startedTime: task.startedTime,
            attempt: task.attempt,
          },
        },
      };
    });
  };
}

/** A pending activity as upstream describes it (api/describeworkflow): retry timing only while it waits to retry. */
function pendingActivity(activity: ActivityInfo, now: Date) {
  const scheduleToCloseMs = durationToMs(activity.scheduled?.scheduleToCloseTimeout);
  const started = activity.startedEventId !== 0;
  const state = activity.cancelRequested
    ? PendingActivityState.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED
    : activity.paused
      ? started
        ? PendingActivityState.PENDING_ACTIVITY_STATE_PAUSE_REQUESTED
        : PendingActivityState.PENDING_ACTIVITY_STATE_PAUSED
      : started
        ? PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
        : PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED;
  // In backoff: the retry's dispatch time is still ahead (a dispatched retry waits for a worker instead).
  const waitingForRetry =
    !started &&
    !activity.paused &&
    activity.currentRetryInterval !== undefined &&
    (activity.currentAttemptScheduledTime?.getTime() ?? 0) > now.getTime();
  return {
    activityId: activity.activityId,
    activityType: activity.scheduled?.activityType,
    state,
    heartbeatDetails: activity.lastHeartbeatDetails,
    lastHeartbeatTime: activity.lastHeartbeatTime,
    lastStartedTime: activity.startedTime,
    attempt: activity.attempt,
    maximumAttempts: activity.scheduled?.retryPolicy?.maximumAttempts ?? 0,
    scheduledTime: activity.currentAttemptScheduledTime,
    expirationTime:
      scheduleToCloseMs > 0 ? new Date((activity.firstScheduledTime?.getTime() ?? 0) + scheduleToCloseMs) : undefined,
    lastFailure: activity.lastFailure,
    lastWorkerIdentity: activity.lastWorkerIdentity,
    currentRetryInterval: waitingForRetry ? activity.currentRetryInterval : undefined,
    lastAttemptCompleteTime: activity.lastAttemptCompleteTime,
    nextAttemptScheduleTime: waitingForRetry ? activity.currentAttemptScheduledTime : undefined,
    paused: activity.paused,
    pauseInfo: activity.paused
      ? { pauseTime: activity.pauseTime, manual: { identity: activity.pauseIdentity, reason: activity.pauseReason } }
      : undefined,
    activityOptions: activityOptionsOf(activity),
    priority: activity.scheduled?.priority,
  };
}

import { durationToMs } from '@tempora/common';
import { TaskQueueKind, PendingActivityState, PendingWorkflowTaskState } from '@tempora/proto/enums';
import type { DescribeWorkflowExecutionRequest, DescribeWorkflowExecutionResponse } from '@tempora/proto/internal';
import type { DeepPartial } from '@tempora/rpc';
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
            executionDuration:
              info.closeTime && info.executionTime
                ? { seconds: Math.floor((info.closeTime.getTime() - info.executionTime.getTime()) / 1000), nanos: 0 }
                : undefined,
          },
          pendingActivities: Object.values(ms.state.activities).map((activity) => {
            const scheduleToCloseMs = durationToMs(activity.scheduled?.scheduleToCloseTimeout);
            return {
              activityId: activity.activityId,
              activityType: activity.scheduled?.activityType,
              state: activity.cancelRequested
                ? PendingActivityState.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED
                : activity.startedEventId !== 0
                  ? PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
                  : PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED,
              heartbeatDetails: activity.lastHeartbeatDetails,
              lastHeartbeatTime: activity.lastHeartbeatTime,
              lastStartedTime: activity.startedTime,
              attempt: activity.attempt,
              maximumAttempts: activity.scheduled?.retryPolicy?.maximumAttempts ?? 0,
              scheduledTime: activity.currentAttemptScheduledTime,
              expirationTime:
                scheduleToCloseMs > 0
                  ? new Date((activity.firstScheduledTime?.getTime() ?? 0) + scheduleToCloseMs)
                  : undefined,
              lastFailure: activity.lastFailure,
              lastWorkerIdentity: activity.lastWorkerIdentity,
            };
          }),
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

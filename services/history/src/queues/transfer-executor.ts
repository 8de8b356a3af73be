// Executes transfer tasks: hands workflow and activity tasks to matching, and runs the tasks that reach other runs.
// A task whose target moved on (started, closed, another attempt) is dropped.
import { msToDuration, durationToMs } from '@tempora/common';
import type { HistoryTask } from '@tempora/persistence';
import { TaskQueueKind } from '@tempora/proto/enums';
import { TransferTaskBody, type WorkflowTaskDispatch } from '@tempora/proto/persistence';
import type { MatchingServiceServer } from '@tempora/proto/internal';
import { isStickyWorkerUnavailable, type RpcClient } from '@tempora/rpc';
import type { ExecutionManager, RunKey } from '../execution-manager.js';
import { ignoreNotFound } from './not-found.js';
import { cancelExternal, closeExecution, signalExternal, startChild, type CrossRunDeps } from './cross-run-executor.js';

export function transferExecutor(matching: RpcClient<MatchingServiceServer>, crossRun: CrossRunDeps) {
  const executions = crossRun.executions;
  return async (task: HistoryTask): Promise<void> => {
    const body = TransferTaskBody.decode(task.data);
    const key = { namespaceId: task.namespaceId, workflowId: task.workflowId, runId: task.runId };
    if (body.startChild) return startChild(crossRun, key, body.startChild);
    if (body.signalExternal) return signalExternal(crossRun, key, body.signalExternal);
    if (body.cancelExternal) return cancelExternal(crossRun, key, body.cancelExternal);
    if (body.closeExecution) return closeExecution(crossRun, key, body.closeExecution);
    if (body.workflowTask) return dispatchWorkflowTask(matching, executions, key, body.workflowTask);
    if (body.activityTask) {
      const dispatch = body.activityTask;
      const target = await executions
        .read(key, (ms) => {
          const activity = ms.state.activities[dispatch.scheduledEventId];
          if (!ms.isRunning || !activity || activity.attempt !== dispatch.attempt || activity.startedEventId !== 0)
            return undefined;
          return {
            taskQueue: activity.scheduled!.taskQueue!.name,
            scheduleToStartMs: durationToMs(activity.scheduled!.scheduleToStartTimeout),
          };
        })
        .catch(ignoreNotFound);
      if (!target) return;
      await matching.addActivityTask({
        namespaceId: task.namespaceId,
        execution: { workflowId: task.workflowId, runId: task.runId },
        taskQueue: { name: target.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        scheduledEventId: dispatch.scheduledEventId,
        scheduleToStartTimeout: target.scheduleToStartMs > 0 ? msToDuration(target.scheduleToStartMs) : undefined,
        attempt: dispatch.attempt,
      });
    }
  };
}

/**
 * Hands a scheduled workflow task to matching unless it moved on (started, closed, another task). A sticky queue
 * whose worker is gone (StickyWorkerUnavailable) is skipped for the normal queue, whose poller clears stickiness.
 */
export async function dispatchWorkflowTask(
  matching: RpcClient<MatchingServiceServer>,
  executions: ExecutionManager,
  key: RunKey,
  dispatch: WorkflowTaskDispatch,
): Promise<void> {
  const normalQueue = await executions
    .read(key, (ms) => {
      const pending = ms.workflowTask;
      const current =
        ms.isRunning && pending?.scheduledEventId === dispatch.scheduledEventId && pending.startedEventId === 0;
      return current ? ms.info.taskQueue : undefined;
    })
    .catch(ignoreNotFound);
  if (normalQueue === undefined) return;
  const request = {
    namespaceId: key.namespaceId,
    execution: { workflowId: key.workflowId, runId: key.runId },
    scheduledEventId: dispatch.scheduledEventId,
  };
  try {
    await matching.addWorkflowTask({
      ...request,
      taskQueue: { name: dispatch.taskQueue, kind: dispatch.taskQueueKind },
      scheduleToStartTimeout: dispatch.scheduleToStartTimeout,
    });
  } catch (err) {
    if (dispatch.taskQueueKind !== TaskQueueKind.TASK_QUEUE_KIND_STICKY || !isStickyWorkerUnavailable(err)) throw err;
    await matching.addWorkflowTask({
      ...request,
      taskQueue: { name: normalQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    });
  }
}

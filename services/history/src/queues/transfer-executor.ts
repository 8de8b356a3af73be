// Executes transfer tasks: hands workflow and activity tasks to matching, and runs the tasks that reach other runs.
// A task whose target moved on (started, closed, another attempt) is dropped.
import { msToDuration, durationToMs } from '@tempora/common';
import type { HistoryTask } from '@tempora/persistence';
import { TaskQueueKind } from '@tempora/proto/enums';
import { TransferTaskBody } from '@tempora/proto/persistence';
import type { MatchingServiceServer } from '@tempora/proto/internal';
import { isStickyWorkerUnavailable, type RpcClient } from '@tempora/rpc';
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
    const execution = { workflowId: task.workflowId, runId: task.runId };
    if (body.workflowTask) {
      const dispatch = body.workflowTask;
      const normalQueue = await executions
        .read(key, (ms) => {
          const pending = ms.workflowTask;
          const current =
            ms.isRunning && pending?.scheduledEventId === dispatch.scheduledEventId && pending.startedEventId === 0;
          return current ? ms.info.taskQueue : undefined;
        })
        .catch(ignoreNotFound);
      if (normalQueue === undefined) return;
      const request = { namespaceId: task.namespaceId, execution, scheduledEventId: dispatch.scheduledEventId };
      try {
        await matching.addWorkflowTask({
          ...request,
          taskQueue: { name: dispatch.taskQueue, kind: dispatch.taskQueueKind },
          scheduleToStartTimeout: dispatch.scheduleToStartTimeout,
        });
      } catch (err) {
        if (dispatch.taskQueueKind !== TaskQueueKind.TASK_QUEUE_KIND_STICKY || !isStickyWorkerUnavailable(err))
          throw err;
        // The sticky worker is gone: the normal queue serves the task (its poller clears stickiness).
        await matching.addWorkflowTask({
          ...request,
          taskQueue: { name: normalQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        });
      }
      return;
    }
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
        execution,
        taskQueue: { name: target.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        scheduledEventId: dispatch.scheduledEventId,
        scheduleToStartTimeout: target.scheduleToStartMs > 0 ? msToDuration(target.scheduleToStartMs) : undefined,
        attempt: dispatch.attempt,
      });
    }
  };
}

import { msToDuration } from '@tempora/common';
import type { DescribeTaskQueueRequest, DescribeTaskQueueResponse } from '@tempora/proto/internal';
import { DescribeTaskQueueMode, TaskQueueType } from '@tempora/proto/enums';
import type { PollerInfo, TaskQueueStats, TaskQueueStatus, TaskQueueTypeInfo } from '@tempora/proto/taskqueue';
import type { DeepPartial } from '@tempora/rpc';
import type { MatchingContext } from '../context.js';
import { POLLER_RETENTION_MS } from '../pollers.js';
import { isStickyTaskQueue, taskQueueKey, type TaskQueueKey } from '../task-queue-key.js';
import type { TaskQueueManager } from '../task-queue-manager.js';
import type { AddTaskRequest } from '../task.js';

/**
 * Default mode: the pollers of one task type seen in the last five minutes, with the backlog's status
 * (include_task_queue_status) and stats (report_stats) on request. ENHANCED mode (deprecated upstream, still used by
 * older CLIs): per build id and task type, pollers (report_pollers) and stats (report_stats). Tempora has no worker
 * versioning, so only the unversioned queue ('') holds pollers and tasks; a requested build id is reported empty.
 * Describing a queue loads it, as upstream does.
 */
export function describeTaskQueue(ctx: MatchingContext) {
  const pollers = (key: TaskQueueKey): DeepPartial<PollerInfo>[] =>
    ctx.pollers.pollersSince(key, Date.now() - POLLER_RETENTION_MS).map(({ identity, lastAccessTime }) => ({
      identity,
      lastAccessTime: new Date(lastAccessTime),
      ratePerSecond: 0,
    }));
  const manager = (key: TaskQueueKey, taskType: TaskQueueType, sticky: boolean) =>
    taskType === TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY
      ? ctx.activityQueues.get(key, sticky)
      : ctx.workflowQueues.get(key, sticky);

  return async (request: DescribeTaskQueueRequest): Promise<DeepPartial<DescribeTaskQueueResponse>> => {
    const describe = request.request!;
    const sticky = isStickyTaskQueue(describe.taskQueue);
    if (describe.apiMode === DescribeTaskQueueMode.DESCRIBE_TASK_QUEUE_MODE_ENHANCED) {
      const typesInfo: Record<number, DeepPartial<TaskQueueTypeInfo>> = {};
      for (const taskType of describe.taskQueueTypes) {
        const key = taskQueueKey(request.namespaceId, describe.taskQueue, taskType);
        typesInfo[taskType] = {
          pollers: describe.reportPollers ? pollers(key) : [],
          stats: describe.reportStats ? stats(await manager(key, taskType, false)) : undefined,
        };
      }
      const buildIds = describe.versions?.buildIds ?? [];
      const versioned = Object.fromEntries(
        buildIds.map((buildId) => [
          buildId,
          { typesInfo: Object.fromEntries(describe.taskQueueTypes.map((type) => [type, emptyTypeInfo(describe)])) },
        ]),
      );
      const unversioned = !buildIds.length || describe.versions?.unversioned;
      return { response: { versionsInfo: { ...versioned, ...(unversioned ? { '': { typesInfo } } : {}) } } };
    }
    const taskType = describe.taskQueueType || TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW;
    const key = taskQueueKey(request.namespaceId, describe.taskQueue, taskType);
    const response: DeepPartial<DescribeTaskQueueResponse['response']> = { pollers: pollers(key) };
    if (describe.includeTaskQueueStatus || describe.reportStats) {
      const queue = await manager(key, taskType, sticky);
      if (describe.includeTaskQueueStatus) response.taskQueueStatus = status(queue);
      if (describe.reportStats) response.stats = stats(queue);
    }
    return { response };
  };
}

/** Upstream's legacy status: backlog count, read and ack levels and the lease's id block (no dispatch rate limit). */
function status(queue: TaskQueueManager<AddTaskRequest>): DeepPartial<TaskQueueStatus> {
  const { backlogCount, readLevel, ackLevel, taskIdBlock } = queue.status();
  return { backlogCountHint: backlogCount, readLevel, ackLevel, ratePerSecond: 0, taskIdBlock };
}

/** The backlog and the age of its oldest task when known; add and dispatch rates are not tracked. */
function stats(queue: TaskQueueManager<AddTaskRequest>): DeepPartial<TaskQueueStats> {
  const { backlogCount, headCreatedAt } = queue.status();
  return {
    approximateBacklogCount: backlogCount,
    approximateBacklogAge: msToDuration(headCreatedAt === undefined ? 0 : Date.now() - headCreatedAt),
  };
}

function emptyTypeInfo(describe: NonNullable<DescribeTaskQueueRequest['request']>): DeepPartial<TaskQueueTypeInfo> {
  return { pollers: [], stats: describe.reportStats ? { approximateBacklogCount: 0 } : undefined };
}

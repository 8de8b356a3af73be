// Identifying a task queue. The key is the persistence key (namespace id, partition name, task type) so that
// partitions can later be added as further names without changing how queues are looked up.
import type { TaskQueueKey } from '@tempora/persistence';
import { TaskQueueKind, type TaskQueueType } from '@tempora/proto/enums';
import type { TaskQueue } from '@tempora/proto/taskqueue';
import { invalidArgument } from '@tempora/rpc';

export type { TaskQueueKey };

export function taskQueueKey(
  namespaceId: string,
  taskQueue: TaskQueue | undefined,
  taskType: TaskQueueType,
): TaskQueueKey {
  if (!taskQueue?.name) throw invalidArgument('Missing task queue name.');
  return { namespaceId, name: taskQueue.name, taskType };
}

/** A string form of the key for maps. */
export function taskQueueId(key: TaskQueueKey): string {
  return JSON.stringify([key.namespaceId, key.name, key.taskType]);
}

export function isStickyTaskQueue(taskQueue: TaskQueue | undefined): boolean {
  return taskQueue?.kind === TaskQueueKind.TASK_QUEUE_KIND_STICKY;
}

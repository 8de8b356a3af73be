// The PollWorkflowTaskQueueResponse for a started workflow task (also returned inline by a completion).
import type { PersistenceStores } from '@tempora/persistence';
import { TaskQueueKind } from '@tempora/proto/enums';
import type { HistoryEvent } from '@tempora/proto/history';
import type { PollWorkflowTaskQueueResponse } from '@tempora/proto/workflowservice';
import type { DeepPartial } from '@tempora/rpc';
import { readHistoryPage } from './history-pages.js';
import type { MutableState } from './mutable-state.js';
import { encodeWorkflowTaskToken } from './tokens.js';
import { transientWorkflowTaskEvents } from './workflow-task-events.js';

/** Event batches per page handed to a worker; the rest it fetches with GetWorkflowExecutionHistory. */
export const WORKER_HISTORY_PAGE_SIZE = 1000;

interface WorkflowTaskSnapshot {
  namespaceId: string;
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  previousStartedEventId: number;
  scheduledEventId: number;
  startedEventId: number;
  attempt: number;
  scheduledTime: Date | undefined;
  startedTime: Date | undefined;
  firstEventId: number;
  nextEventId: number;
  transientEvents: HistoryEvent[];
}

/** Captures what the response needs while the run is locked; events are read after the write commits. */
export function workflowTaskSnapshot(ms: MutableState, stickyHistory: boolean): WorkflowTaskSnapshot {
  const task = ms.workflowTask!;
  const previousStartedEventId = ms.info.lastCompletedWorkflowTaskStartedEventId;
  return {
    namespaceId: ms.info.namespaceId,
    workflowId: ms.info.workflowId,
    runId: ms.info.runId,
    workflowType: ms.info.workflowType,
    taskQueue: ms.info.taskQueue,
    previousStartedEventId,
    scheduledEventId: task.scheduledEventId,
    startedEventId: task.startedEventId,
    attempt: task.attempt,
    scheduledTime: task.scheduledTime,
    startedTime: task.startedTime,
    // A sticky worker has the run cached up to the last completed task: it gets only what came after.
    firstEventId: stickyHistory && previousStartedEventId > 0 ? previousStartedEventId + 1 : 1,
    nextEventId: ms.info.nextEventId,
    transientEvents: transientWorkflowTaskEvents(ms),
  };
}

export async function buildWorkflowTaskResponse(
  stores: PersistenceStores,
  shardId: number,
  s: WorkflowTaskSnapshot,
): Promise<DeepPartial<PollWorkflowTaskQueueResponse>> {
  const page = await readHistoryPage(stores, shardId, s.runId, s.firstEventId, s.nextEventId, WORKER_HISTORY_PAGE_SIZE);
  const events = page.nextPageToken.length ? page.events : [...page.events, ...s.transientEvents];
  return {
    taskToken: encodeWorkflowTaskToken({
      namespaceId: s.namespaceId,
      workflowId: s.workflowId,
      runId: s.runId,
      scheduledEventId: s.scheduledEventId,
      startedEventId: s.startedEventId,
      attempt: s.attempt,
      startedTime: s.startedTime,
    }),
    workflowExecution: { workflowId: s.workflowId, runId: s.runId },
    workflowType: { name: s.workflowType },
    previousStartedEventId: s.previousStartedEventId,
    startedEventId: s.startedEventId,
    attempt: s.attempt,
    history: { events },
    nextPageToken: page.nextPageToken,
    workflowExecutionTaskQueue: { name: s.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    scheduledTime: s.scheduledTime,
    startedTime: s.startedTime,
    queries: {},
    messages: [],
  };
}

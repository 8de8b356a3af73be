// What the matching handlers share.
import type { Logger } from '@tempora/common';
import type { HistoryServiceServer, AddActivityTaskRequest, AddWorkflowTaskRequest } from '@tempora/proto/internal';
import type { RpcClient } from '@tempora/rpc';
import type { PollerHistory } from './pollers.js';
import type { QueryTaskAnswers } from './query-tasks.js';
import type { TaskQueueRegistry } from './task-queue-registry.js';

/** The history calls matching makes; any RpcClient<HistoryServiceServer> fits. */
export type MatchingHistoryClient = Pick<
  RpcClient<HistoryServiceServer>,
  'recordWorkflowTaskStarted' | 'recordActivityTaskStarted'
>;

export interface MatchingContext {
  logger: Logger;
  history: MatchingHistoryClient;
  workflowQueues: TaskQueueRegistry<AddWorkflowTaskRequest>;
  activityQueues: TaskQueueRegistry<AddActivityTaskRequest>;
  pollers: PollerHistory;
  queryAnswers: QueryTaskAnswers;
  /** Aborted by stop(). */
  stopping: AbortSignal;
}

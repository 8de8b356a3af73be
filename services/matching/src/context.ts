// What the matching handlers share.
import type { Logger } from '@tempora/common';
import type { HistoryServiceServer, AddActivityTaskRequest, AddWorkflowTaskRequest } from '@tempora/proto/internal';
import type { RpcClient } from '@tempora/rpc';
import type { PollerHistory } from './pollers.js';
import type { QueryTaskAnswers } from './query-tasks.js';
import type { TaskQueueRegistry } from './task-queue-registry.js';
import type { WorkerRegistry } from './worker-registry.js';

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
  workers: WorkerRegistry;
  /** Whether this host owns a namespace's worker registry key on the matching ring, and who does. */
  workerRegistryOwner(namespaceId: string): { here: boolean; address: string };
  /** This host's identity on the matching ring. */
  identity: string;
  /** Aborted by stop(). */
  stopping: AbortSignal;
}

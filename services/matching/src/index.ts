// The matching service: owns task queues on this host. History adds workflow and activity tasks; the frontend
// forwards worker polls, which get a task directly when one is added while they wait (sync match) or from the
// queue's persisted backlog. Sticky queues (one per worker, for cached workflows) live in memory only.
import type { Server } from '@grpc/grpc-js';
import type { Logger, TemporaConfig } from '@tempora/common';
import { taskQueueRingKey, WORKER_REGISTRY_KEY, type Membership } from '@tempora/membership';
import type { PersistenceStores, TaskQueueKey } from '@tempora/persistence';
import * as messages from '@tempora/proto/internal';
import {
  AddActivityTaskRequest,
  AddWorkflowTaskRequest,
  MatchingServiceService,
  type MatchingServiceServer,
} from '@tempora/proto/internal';
import type { Metrics } from '@tempora/telemetry';
import { MatchingMetrics } from './engine-metrics.js';
import { serveService, type AsyncHandlers, type Interceptor } from '@tempora/rpc';
import type { MatchingContext, MatchingHistoryClient } from './context.js';
import { addActivityTask } from './handlers/add-activity-task.js';
import { addWorkflowTask } from './handlers/add-workflow-task.js';
import { describeTaskQueue } from './handlers/describe-task-queue.js';
import { dispatchQueryTask } from './handlers/dispatch-query-task.js';
import { pollActivityTaskQueue } from './handlers/poll-activity-task-queue.js';
import { pollWorkflowTaskQueue } from './handlers/poll-workflow-task-queue.js';
import { respondQueryTaskCompleted } from './handlers/respond-query-task-completed.js';
import { shutdownWorker } from './handlers/shutdown-worker.js';
import { POLLER_RETENTION_MS, PollerHistory } from './pollers.js';
import { QueryTaskAnswers } from './query-tasks.js';
import { TaskQueueRegistry } from './task-queue-registry.js';
import { countWorkers, describeWorker, listWorkers, recordWorkerHeartbeat } from './handlers/worker-heartbeats.js';
import { WorkerRegistry } from './worker-registry.js';

/** Lets history recognise AddWorkflowTask's answer for a sticky queue without a live worker (defined in rpc). */
export { isStickyWorkerUnavailable } from '@tempora/rpc';
export type { MatchingHistoryClient } from './context.js';

export const MATCHING_GRPC_SERVICE = 'tempora.internal.v1.MatchingService';

/** How often idle queues are unloaded and old poller records pruned. */
const MAINTENANCE_INTERVAL_MS = 60_000;
/** A queue untouched this long is unloaded (its backlog stays persisted); sticky queues of gone workers go too. */
const IDLE_QUEUE_MS = 5 * 60_000;

export interface MatchingOptions {
  config: TemporaConfig;
  logger: Logger;
  stores: PersistenceStores;
  /** Where polls record task starts; an RpcClient<HistoryServiceServer> (in process or over gRPC). */
  history: MatchingHistoryClient;
  /** The matching ring decides which task queues this host owns. */
  membership: Membership;
  /** This host's identity on the matching ring. */
  identity: string;
  /** Engine metrics (polls, backlog, schedule-to-start); no-op when absent. */
  metrics?: Metrics;
  /** The name of a namespace id, if cached in the process (metrics tags). */
  namespaceName?: (id: string) => string | undefined;
  /** Epoch ms the host's poller history begins (default: now); tests set an earlier one to leave the restart window. */
  pollersSince?: number;
}

export class MatchingService {
  readonly grpcServiceNames: string[] = [MATCHING_GRPC_SERVICE];
  private readonly ctx: MatchingContext;
  private readonly stopping = new AbortController();
  private maintenanceTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly membership: Membership;

  constructor(options: MatchingOptions) {
    const logger = options.logger.child({ service: 'matching' });
    const store = options.stores.taskQueues;
    const { membership, identity } = options;
    this.membership = membership;
    const ownerOf = (key: TaskQueueKey) => {
      const owner = membership.owner('matching', taskQueueRingKey(key.namespaceId, key.name));
      return { here: owner?.identity === identity, address: owner?.address ?? '' };
    };
    const metrics = new MatchingMetrics(options.metrics, options.namespaceName);
    const registry = { store, logger, ownerOf, identity, metrics };
    this.ctx = {
      logger,
      history: options.history,
      workflowQueues: new TaskQueueRegistry({ ...registry, codec: AddWorkflowTaskRequest }),
      activityQueues: new TaskQueueRegistry({ ...registry, codec: AddActivityTaskRequest }),
      pollers: new PollerHistory(options.pollersSince),
      queryAnswers: new QueryTaskAnswers(),
      workers: new WorkerRegistry(),
      workerRegistryOwner: (namespaceId) => ownerOf({ namespaceId, name: WORKER_REGISTRY_KEY, taskType: 0 }),
      identity,
      stopping: this.stopping.signal,
    };
  }

  handlers(): AsyncHandlers<MatchingServiceServer> {
    return {
      addWorkflowTask: addWorkflowTask(this.ctx),
      addActivityTask: addActivityTask(this.ctx),
      pollWorkflowTaskQueue: pollWorkflowTaskQueue(this.ctx),
      pollActivityTaskQueue: pollActivityTaskQueue(this.ctx),
      describeTaskQueue: describeTaskQueue(this.ctx),
      shutdownWorker: shutdownWorker(this.ctx),
      dispatchQueryTask: dispatchQueryTask(this.ctx),
      respondQueryTaskCompleted: respondQueryTaskCompleted(this.ctx),
      recordWorkerHeartbeat: recordWorkerHeartbeat(this.ctx),
      listWorkers: listWorkers(this.ctx),
      countWorkers: countWorkers(this.ctx),
      describeWorker: describeWorker(this.ctx),
    };
  }

  /** Serves the handlers on `server` behind the process's served-call pipeline. */
  register(server: Server, interceptors: readonly Interceptor[] = []): void {
    serveService(server, MatchingServiceService, this.handlers(), {
      logger: this.ctx.logger,
      messages,
      interceptors,
      service: 'matching',
    });
  }

  async start(): Promise<void> {
    this.unsubscribe = this.membership.onChange((service) => {
      if (service === 'matching') void this.unloadMovedQueues();
    });
    this.maintenanceTimer = setInterval(() => void this.maintain(), MAINTENANCE_INTERVAL_MS).unref();
    this.ctx.logger.debug('started');
  }

  /** Ends every outstanding poll with no task, persists ack levels and releases every queue. */
  async stop(): Promise<void> {
    clearInterval(this.maintenanceTimer);
    this.unsubscribe?.();
    this.stopping.abort();
    await Promise.all([this.ctx.workflowQueues.close(), this.ctx.activityQueues.close()]);
    this.ctx.logger.debug('stopped');
  }

  private async unloadMovedQueues(): Promise<void> {
    try {
      await Promise.all([this.ctx.workflowQueues.unloadUnowned(), this.ctx.activityQueues.unloadUnowned()]);
    } catch (err) {
      this.ctx.logger.error({ err }, 'unloading task queues owned elsewhere failed');
    }
  }

  private async maintain(): Promise<void> {
    const now = Date.now();
    this.ctx.pollers.prune(now - POLLER_RETENTION_MS);
    this.ctx.workers.evictExpired();
    try {
      await Promise.all([
        this.ctx.workflowQueues.unloadIdle(now, IDLE_QUEUE_MS),
        this.ctx.activityQueues.unloadIdle(now, IDLE_QUEUE_MS),
      ]);
    } catch (err) {
      this.ctx.logger.error({ err }, 'unloading idle task queues failed');
    }
  }
}

// The history service: owns history shards (mutable state, event history, transfer and timer queues).
import type { Server } from '@grpc/grpc-js';
import type { Logger, TemporaConfig } from '@tempora/common';
import type { Membership, ShardLayout } from '@tempora/membership';
import type { NamespaceRegistry } from '@tempora/namespace';
import type { PersistenceStores } from '@tempora/persistence';
import * as messages from '@tempora/proto/internal';
import { HistoryServiceService, type HistoryServiceServer, type MatchingServiceServer } from '@tempora/proto/internal';
import type { Metrics } from '@tempora/telemetry';
import { HistoryMetrics } from './engine-metrics.js';
import { HistoryNodeCache } from './history-node-cache.js';
import {
  isOwnershipLost,
  serveService,
  type AsyncHandlers,
  type CallContext,
  type Interceptor,
  type RpcClient,
} from '@tempora/rpc';
import type { VisibilityStore } from '@tempora/visibility';
import { describeWorkflowExecution } from './api/describe-workflow-execution.js';
import { deleteWorkflowExecution } from './api/delete-workflow-execution.js';
import { recordChildExecutionCompleted } from './api/record-child-execution-completed.js';
import { requestCancelWorkflowExecution } from './api/request-cancel-workflow-execution.js';
import { resetWorkflowExecution } from './api/reset-workflow-execution.js';
import { signalWithStartWorkflowExecution } from './api/signal-with-start-workflow-execution.js';
import { signalWorkflowExecution } from './api/signal-workflow-execution.js';
import { terminateWorkflowExecution } from './api/terminate-workflow-execution.js';
import { getWorkflowExecutionHistoryReverse } from './api/get-workflow-execution-history-reverse.js';
import { getWorkflowExecutionHistory } from './api/get-workflow-execution-history.js';
import { pollWorkflowExecutionUpdate } from './api/poll-workflow-execution-update.js';
import { queryWorkflow } from './api/query-workflow.js';
import { recordActivityTaskHeartbeat } from './api/record-activity-task-heartbeat.js';
import { recordActivityTaskStarted } from './api/record-activity-task-started.js';
import { recordWorkflowTaskStarted } from './api/record-workflow-task-started.js';
import { resetStickyTaskQueue } from './api/reset-sticky-task-queue.js';
import { respondActivityTaskCanceled } from './api/respond-activity-task-canceled.js';
import { respondActivityTaskCompleted } from './api/respond-activity-task-completed.js';
import { respondActivityTaskFailed } from './api/respond-activity-task-failed.js';
import { respondWorkflowTaskCompleted } from './api/respond-workflow-task-completed.js';
import { respondWorkflowTaskFailed } from './api/respond-workflow-task-failed.js';
import { startWorkflowExecution } from './api/start-workflow-execution.js';
import { updateWithStartWorkflowExecution } from './api/update-with-start-workflow-execution.js';
import { pauseActivity } from './api/pause-activity.js';
import { unpauseActivity } from './api/unpause-activity.js';
import { resetActivity } from './api/reset-activity.js';
import { updateActivityOptions } from './api/update-activity-options.js';
import { updateWorkflowExecutionOptions } from './api/update-workflow-execution-options.js';
import { updateWorkflowExecution } from './api/update-workflow-execution.js';
import type { HistoryContext } from './context.js';
import { QueryRegistry } from './queries/query-registry.js';
import { ShardController, ShardSplitInProgressError } from './shard-controller.js';
import { UpdateRegistry } from './updates/update-registry.js';

export { shardIdFor } from './shard-controller.js';

const untilAborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));

export interface HistoryOptions {
  config: TemporaConfig;
  logger: Logger;
  stores: PersistenceStores;
  matching: RpcClient<MatchingServiceServer>;
  /** History itself, for runs reaching runs on other shards. */
  history: RpcClient<HistoryServiceServer>;
  /** Which shards hold executions (cluster metadata's shard count, and the reshard in progress). */
  layout: ShardLayout;
  /** Where the visibility queue writes. */
  visibility: VisibilityStore;
  /** The history ring decides which shards this host owns. */
  membership: Membership;
  /** This host's identity on the history ring. */
  identity: string;
  /** The process's one registry, shared with the frontend. */
  namespaces: NamespaceRegistry;
  /** Engine metrics (workflow outcomes, shards, queue tasks); no-op when absent. */
  metrics?: Metrics;
}

export class HistoryService {
  readonly grpcServiceNames = ['tempora.internal.v1.HistoryService'];
  private readonly ctx: HistoryContext;

  constructor(options: HistoryOptions) {
    const logger = options.logger.child({ service: 'history' });
    const { namespaces } = options;
    const historyLimits = { size: options.config.limits.historySize, count: options.config.limits.historyCount };
    // Every history read and append (alone or carried by an execution write) of this service goes through one cache
    // of recent batches.
    const historyNodes = new HistoryNodeCache();
    const stores = Object.assign(Object.create(options.stores) as PersistenceStores, {
      history: historyNodes.wrap(options.stores.history),
      executions: historyNodes.wrapExecutions(options.stores.executions),
    });
    const shards = new ShardController({
      layout: options.layout,
      stores,
      historyNodes,
      matching: options.matching,
      history: options.history,
      namespaces,
      logger,
      membership: options.membership,
      identity: options.identity,
      visibility: options.visibility,
      retentionDeletesPerSecond: options.config.limits.retention.deletesPerSecond,
      metrics: new HistoryMetrics(options.metrics, (id) => namespaces.cachedName(id)),
      historyLimits,
      groupCommit: options.config.services.history.groupCommit,
      shardCheckIntervalMs: options.config.services.history.shardCheckIntervalMs,
    });
    this.ctx = {
      logger,
      stores,
      shards,
      matching: options.matching,
      history: options.history,
      namespaces,
      queries: new QueryRegistry(),
      updates: new UpdateRegistry(),
      historyLimits,
    };
  }

  handlers(): AsyncHandlers<HistoryServiceServer> {
    const handlers = this.rawHandlers();
    for (const key of Object.keys(handlers) as (keyof typeof handlers)[]) {
      (handlers as Record<string, unknown>)[key] = this.waitingOutSplits(
        handlers[key] as (request: unknown, call: CallContext) => Promise<unknown>,
      );
    }
    return handlers;
  }

  /**
   * A call that finds its shard being split on this host waits for the split and runs again, so callers see a
   * delay rather than an error; its first attempt wrote nothing (the split fenced it off).
   */
  private waitingOutSplits<Req, Res>(handler: (request: Req, call: CallContext) => Promise<Res>) {
    const shards = this.ctx.shards;
    return async (request: Req, call: CallContext): Promise<Res> => {
      for (;;) {
        try {
          return await handler(request, call);
        } catch (err) {
          if (call.signal.aborted) throw err;
          // Its shard is being split: wait for that split. Fenced off by a split that began meanwhile: wait for
          // the splits running now.
          if (err instanceof ShardSplitInProgressError) await Promise.race([err.settled, untilAborted(call.signal)]);
          else if (isOwnershipLost(err) && shards.splitInProgress)
            await Promise.race([shards.splitsSettled(), untilAborted(call.signal)]);
          else throw err;
        }
      }
    };
  }

  private rawHandlers(): AsyncHandlers<HistoryServiceServer> {
    const ctx = this.ctx;
    return {
      startWorkflowExecution: startWorkflowExecution(ctx),
      recordWorkflowTaskStarted: recordWorkflowTaskStarted(ctx),
      recordActivityTaskStarted: recordActivityTaskStarted(ctx),
      respondWorkflowTaskCompleted: respondWorkflowTaskCompleted(ctx),
      respondWorkflowTaskFailed: respondWorkflowTaskFailed(ctx),
      respondActivityTaskCompleted: respondActivityTaskCompleted(ctx),
      respondActivityTaskFailed: respondActivityTaskFailed(ctx),
      respondActivityTaskCanceled: respondActivityTaskCanceled(ctx),
      recordActivityTaskHeartbeat: recordActivityTaskHeartbeat(ctx),
      getWorkflowExecutionHistory: getWorkflowExecutionHistory(ctx),
      getWorkflowExecutionHistoryReverse: getWorkflowExecutionHistoryReverse(ctx),
      describeWorkflowExecution: describeWorkflowExecution(ctx),
      resetStickyTaskQueue: resetStickyTaskQueue(ctx),
      signalWorkflowExecution: signalWorkflowExecution(ctx),
      signalWithStartWorkflowExecution: signalWithStartWorkflowExecution(ctx),
      requestCancelWorkflowExecution: requestCancelWorkflowExecution(ctx),
      terminateWorkflowExecution: terminateWorkflowExecution(ctx),
      deleteWorkflowExecution: deleteWorkflowExecution(ctx),
      resetWorkflowExecution: resetWorkflowExecution(ctx),
      recordChildExecutionCompleted: recordChildExecutionCompleted(ctx),
      queryWorkflow: queryWorkflow(ctx),
      updateWorkflowExecution: updateWorkflowExecution(ctx),
      pollWorkflowExecutionUpdate: pollWorkflowExecutionUpdate(ctx),
      updateWithStartWorkflowExecution: updateWithStartWorkflowExecution(ctx),
      pauseActivity: pauseActivity(ctx),
      unpauseActivity: unpauseActivity(ctx),
      resetActivity: resetActivity(ctx),
      updateActivityOptions: updateActivityOptions(ctx),
      updateWorkflowExecutionOptions: updateWorkflowExecutionOptions(ctx),
    };
  }

  /** Serves the handlers on `server` behind the process's served-call pipeline. */
  register(server: Server, interceptors: readonly Interceptor[] = []): void {
    serveService(server, HistoryServiceService, this.handlers(), {
      logger: this.ctx.logger,
      messages,
      interceptors,
      service: 'history',
    });
  }

  async start(): Promise<void> {
    await this.ctx.shards.start();
  }

  /** Releases every shard; the next owners acquire them as soon as they see this host leave the ring. */
  async stop(): Promise<void> {
    await this.ctx.shards.stop();
  }
}

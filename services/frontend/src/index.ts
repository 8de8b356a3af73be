// The frontend service: serves the public WorkflowService and OperatorService.
import type { Server } from '@grpc/grpc-js';
import type { Logger, TemporaConfig } from '@tempora/common';
import type { Membership, ShardLayout } from '@tempora/membership';
import type { NamespaceRegistry } from '@tempora/namespace';
import type { PersistenceStores } from '@tempora/persistence';
import * as adminMessages from '@tempora/proto/admin';
import { AdminServiceService, type AdminServiceServer } from '@tempora/proto/admin';
import * as operatorMessages from '@tempora/proto/operatorservice';
import { OperatorServiceService, type OperatorServiceServer } from '@tempora/proto/operatorservice';
import * as workflowMessages from '@tempora/proto/workflowservice';
import { WorkflowServiceService, type WorkflowServiceServer } from '@tempora/proto/workflowservice';
import type { HistoryServiceServer, MatchingServiceServer } from '@tempora/proto/internal';
import type { ClusterMetadataRecord } from '@tempora/proto/persistence';
import {
  PageTokens,
  serveService,
  type AsyncHandlers,
  type HttpServedService,
  type Interceptor,
  type RpcClient,
} from '@tempora/rpc';
import { listClusterMembers } from './admin/list-cluster-members.js';
import { listShards } from './admin/list-shards.js';
import { reshard } from './admin/reshard.js';
import { deleteWorkflowExecution } from './api/delete-workflow-execution.js';
import { requestCancelWorkflowExecution } from './api/request-cancel-workflow-execution.js';
import { resetWorkflowExecution } from './api/reset-workflow-execution.js';
import { signalWithStartWorkflowExecution } from './api/signal-with-start-workflow-execution.js';
import { signalWorkflowExecution } from './api/signal-workflow-execution.js';
import { terminateWorkflowExecution } from './api/terminate-workflow-execution.js';
import type { VisibilityStore } from '@tempora/visibility';
import { deprecateNamespace } from './api/deprecate-namespace.js';
import { describeNamespace } from './api/describe-namespace.js';
import { describeTaskQueue } from './api/describe-task-queue.js';
import { listTaskQueuePartitions } from './api/list-task-queue-partitions.js';
import { describeWorkflowExecution } from './api/describe-workflow-execution.js';
import { executeMultiOperation } from './api/execute-multi-operation.js';
import { getClusterInfo } from './api/get-cluster-info.js';
import { getSystemInfo } from './api/get-system-info.js';
import { getWorkflowExecutionHistoryReverse } from './api/get-workflow-execution-history-reverse.js';
import { getWorkflowExecutionHistory } from './api/get-workflow-execution-history.js';
import { listNamespaces } from './api/list-namespaces.js';
import { pollActivityTaskQueue } from './api/poll-activity-task-queue.js';
import { pollWorkflowExecutionUpdate } from './api/poll-workflow-execution-update.js';
import { pollWorkflowTaskQueue } from './api/poll-workflow-task-queue.js';
import { queryWorkflow } from './api/query-workflow.js';
import { recordActivityTaskHeartbeatById } from './api/record-activity-task-heartbeat-by-id.js';
import { recordActivityTaskHeartbeat } from './api/record-activity-task-heartbeat.js';
import { recordWorkerHeartbeat } from './api/record-worker-heartbeat.js';
import { listWorkers } from './api/list-workers.js';
import { countWorkers } from './api/count-workers.js';
import { describeWorker } from './api/describe-worker.js';
import { pauseActivity } from './api/pause-activity.js';
import { unpauseActivity } from './api/unpause-activity.js';
import { resetActivity } from './api/reset-activity.js';
import { updateActivityOptions } from './api/update-activity-options.js';
import {
  pauseActivityExecution,
  resetActivityExecution,
  unpauseActivityExecution,
  updateActivityExecutionOptions,
} from './api/activity-execution-operations.js';
import { updateWorkflowExecutionOptions } from './api/update-workflow-execution-options.js';
import { createNamespace, registerNamespace } from './api/register-namespace.js';
import { resetStickyTaskQueue } from './api/reset-sticky-task-queue.js';
import { respondActivityTaskCanceledById } from './api/respond-activity-task-canceled-by-id.js';
import { respondActivityTaskCanceled } from './api/respond-activity-task-canceled.js';
import { respondActivityTaskCompletedById } from './api/respond-activity-task-completed-by-id.js';
import { respondActivityTaskCompleted } from './api/respond-activity-task-completed.js';
import { respondActivityTaskFailedById } from './api/respond-activity-task-failed-by-id.js';
import { respondActivityTaskFailed } from './api/respond-activity-task-failed.js';
import { respondQueryTaskCompleted } from './api/respond-query-task-completed.js';
import { respondWorkflowTaskCompleted } from './api/respond-workflow-task-completed.js';
import { respondWorkflowTaskFailed } from './api/respond-workflow-task-failed.js';
import { shutdownWorker } from './api/shutdown-worker.js';
import { startWorkflowExecution } from './api/start-workflow-execution.js';
import { updateNamespace } from './api/update-namespace.js';
import { countWorkflowExecutions } from './api/count-workflow-executions.js';
import { countSchedules } from './api/count-schedules.js';
import { describeBatchOperation } from './api/describe-batch-operation.js';
import { listBatchOperations } from './api/list-batch-operations.js';
import { startBatchOperation } from './api/start-batch-operation.js';
import { stopBatchOperation } from './api/stop-batch-operation.js';
import { createSchedule } from './api/create-schedule.js';
import { deleteSchedule } from './api/delete-schedule.js';
import { describeSchedule } from './api/describe-schedule.js';
import { listScheduleMatchingTimes } from './api/list-schedule-matching-times.js';
import { listSchedules } from './api/list-schedules.js';
import { patchSchedule } from './api/patch-schedule.js';
import { updateSchedule } from './api/update-schedule.js';
import { getSearchAttributes } from './api/get-search-attributes.js';
import { listClosedWorkflowExecutions } from './api/list-closed-workflow-executions.js';
import { listOpenWorkflowExecutions } from './api/list-open-workflow-executions.js';
import { listWorkflowExecutions } from './api/list-workflow-executions.js';
import { scanWorkflowExecutions } from './api/scan-workflow-executions.js';
import { updateWorkflowExecution } from './api/update-workflow-execution.js';
import type { FrontendContext } from './context.js';
import { addSearchAttributes } from './operator/add-search-attributes.js';
import { deleteNamespace } from './operator/delete-namespace.js';
import { listClusters } from './operator/list-clusters.js';
import { listSearchAttributes } from './operator/list-search-attributes.js';
import { removeSearchAttributes } from './operator/remove-search-attributes.js';

export const FRONTEND_GRPC_SERVICES = [
  'temporal.api.workflowservice.v1.WorkflowService',
  'temporal.api.operatorservice.v1.OperatorService',
  'tempora.admin.v1.AdminService',
];

/** Namespaces registered at start when absent get upstream's dev-server retention of one day. */
const DEFAULT_NAMESPACE_RETENTION = { seconds: 24 * 3600, nanos: 0 };

export interface FrontendOptions {
  config: TemporaConfig;
  logger: Logger;
  stores: PersistenceStores;
  cluster: ClusterMetadataRecord;
  layout: ShardLayout;
  history: RpcClient<HistoryServiceServer>;
  matching: RpcClient<MatchingServiceServer>;
  visibility: VisibilityStore;
  membership: Membership;
  /** The process's one registry, shared with history so a namespace write here is seen there at once. */
  namespaces: NamespaceRegistry;
}

export class FrontendService {
  readonly grpcServiceNames = FRONTEND_GRPC_SERVICES;
  readonly ctx: FrontendContext;

  constructor(options: FrontendOptions) {
    this.ctx = {
      ...options,
      logger: options.logger.child({ service: 'frontend' }),
      pageTokens: new PageTokens(options.cluster),
    };
  }

  workflowServiceHandlers(): AsyncHandlers<WorkflowServiceServer> {
    const ctx = this.ctx;
    return {
      getSystemInfo,
      getClusterInfo: getClusterInfo(ctx),
      registerNamespace: registerNamespace(ctx),
      describeNamespace: describeNamespace(ctx),
      listNamespaces: listNamespaces(ctx),
      updateNamespace: updateNamespace(ctx),
      deprecateNamespace: deprecateNamespace(ctx),
      startWorkflowExecution: startWorkflowExecution(ctx),
      signalWorkflowExecution: signalWorkflowExecution(ctx),
      signalWithStartWorkflowExecution: signalWithStartWorkflowExecution(ctx),
      requestCancelWorkflowExecution: requestCancelWorkflowExecution(ctx),
      terminateWorkflowExecution: terminateWorkflowExecution(ctx),
      deleteWorkflowExecution: deleteWorkflowExecution(ctx),
      resetWorkflowExecution: resetWorkflowExecution(ctx),
      describeWorkflowExecution: describeWorkflowExecution(ctx),
      getWorkflowExecutionHistory: getWorkflowExecutionHistory(ctx),
      getWorkflowExecutionHistoryReverse: getWorkflowExecutionHistoryReverse(ctx),
      resetStickyTaskQueue: resetStickyTaskQueue(ctx),
      pollWorkflowTaskQueue: pollWorkflowTaskQueue(ctx),
      respondWorkflowTaskCompleted: respondWorkflowTaskCompleted(ctx),
      respondWorkflowTaskFailed: respondWorkflowTaskFailed(ctx),
      pollActivityTaskQueue: pollActivityTaskQueue(ctx),
      recordActivityTaskHeartbeat: recordActivityTaskHeartbeat(ctx),
      recordActivityTaskHeartbeatById: recordActivityTaskHeartbeatById(ctx),
      respondActivityTaskCompleted: respondActivityTaskCompleted(ctx),
      respondActivityTaskCompletedById: respondActivityTaskCompletedById(ctx),
      respondActivityTaskFailed: respondActivityTaskFailed(ctx),
      respondActivityTaskFailedById: respondActivityTaskFailedById(ctx),
      respondActivityTaskCanceled: respondActivityTaskCanceled(ctx),
      respondActivityTaskCanceledById: respondActivityTaskCanceledById(ctx),
      describeTaskQueue: describeTaskQueue(ctx),
      listTaskQueuePartitions: listTaskQueuePartitions(ctx),
      shutdownWorker: shutdownWorker(ctx),
      recordWorkerHeartbeat: recordWorkerHeartbeat(ctx),
      listWorkers: listWorkers(ctx),
      countWorkers: countWorkers(ctx),
      describeWorker: describeWorker(ctx),
      pauseActivity: pauseActivity(ctx),
      unpauseActivity: unpauseActivity(ctx),
      resetActivity: resetActivity(ctx),
      updateActivityOptions: updateActivityOptions(ctx),
      pauseActivityExecution: pauseActivityExecution(ctx),
      unpauseActivityExecution: unpauseActivityExecution(ctx),
      resetActivityExecution: resetActivityExecution(ctx),
      updateActivityExecutionOptions: updateActivityExecutionOptions(ctx),
      updateWorkflowExecutionOptions: updateWorkflowExecutionOptions(ctx),
      listWorkflowExecutions: listWorkflowExecutions(ctx),
      scanWorkflowExecutions: scanWorkflowExecutions(ctx),
      countWorkflowExecutions: countWorkflowExecutions(ctx),
      listOpenWorkflowExecutions: listOpenWorkflowExecutions(ctx),
      listClosedWorkflowExecutions: listClosedWorkflowExecutions(ctx),
      getSearchAttributes,
      queryWorkflow: queryWorkflow(ctx),
      respondQueryTaskCompleted: respondQueryTaskCompleted(ctx),
      updateWorkflowExecution: updateWorkflowExecution(ctx),
      pollWorkflowExecutionUpdate: pollWorkflowExecutionUpdate(ctx),
      executeMultiOperation: executeMultiOperation(ctx),
      createSchedule: createSchedule(ctx),
      describeSchedule: describeSchedule(ctx),
      updateSchedule: updateSchedule(ctx),
      patchSchedule: patchSchedule(ctx),
      deleteSchedule: deleteSchedule(ctx),
      listSchedules: listSchedules(ctx),
      countSchedules: countSchedules(ctx),
      listScheduleMatchingTimes: listScheduleMatchingTimes(ctx),
      startBatchOperation: startBatchOperation(ctx),
      describeBatchOperation: describeBatchOperation(ctx),
      listBatchOperations: listBatchOperations(ctx),
      stopBatchOperation: stopBatchOperation(ctx),
    };
  }

  operatorServiceHandlers(): AsyncHandlers<OperatorServiceServer> {
    return {
      deleteNamespace: deleteNamespace(this.ctx),
      addSearchAttributes: addSearchAttributes(this.ctx),
      removeSearchAttributes: removeSearchAttributes(this.ctx),
      listSearchAttributes: listSearchAttributes(this.ctx),
      listClusters: listClusters(this.ctx),
    };
  }

  adminServiceHandlers(): AsyncHandlers<AdminServiceServer> {
    return {
      listClusterMembers: listClusterMembers(this.ctx),
      listShards: listShards(this.ctx),
      reshard: reshard(this.ctx),
    };
  }

  /** The public services the HTTP API serves (upstream's: WorkflowService and OperatorService). */
  httpServices(): HttpServedService[] {
    return [
      { definition: WorkflowServiceService, messages: workflowMessages, handlers: this.workflowServiceHandlers() },
      { definition: OperatorServiceService, messages: operatorMessages, handlers: this.operatorServiceHandlers() },
    ] as HttpServedService[];
  }

  /** Serves the handlers on `server` behind the process's served-call pipeline. */
  register(server: Server, interceptors: readonly Interceptor[] = []): void {
    const options = { logger: this.ctx.logger, interceptors, service: 'frontend' };
    serveService(server, AdminServiceService, this.adminServiceHandlers(), { ...options, messages: adminMessages });
    serveService(server, WorkflowServiceService, this.workflowServiceHandlers(), {
      ...options,
      messages: workflowMessages,
    });
    serveService(server, OperatorServiceService, this.operatorServiceHandlers(), {
      ...options,
      messages: operatorMessages,
    });
  }

  /** Registers each configured namespace that does not exist yet. */
  async start(): Promise<void> {
    for (const name of this.ctx.config.namespaces) {
      if (await this.ctx.stores.namespaces.getNamespaceByName(name)) continue;
      await createNamespace(this.ctx, {
        namespace: name,
        description: '',
        ownerEmail: '',
        workflowExecutionRetentionPeriod: DEFAULT_NAMESPACE_RETENTION,
        clusters: [],
        activeClusterName: '',
        data: {},
        securityToken: '',
        isGlobalNamespace: false,
        historyArchivalState: 0,
        historyArchivalUri: '',
        visibilityArchivalState: 0,
        visibilityArchivalUri: '',
      });
      this.ctx.logger.info({ namespace: name }, 'namespace registered at start');
    }
  }

  async stop(): Promise<void> {}
}

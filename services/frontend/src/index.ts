// The frontend service: serves the public WorkflowService and OperatorService.
import type { Server } from '@grpc/grpc-js';
import type { Logger, TemporaConfig } from '@tempora/common';
import type { PersistenceStores } from '@tempora/persistence';
import * as operatorMessages from '@tempora/proto/generated/temporal/api/operatorservice/v1/request_response';
import {
  OperatorServiceService,
  type OperatorServiceServer,
} from '@tempora/proto/generated/temporal/api/operatorservice/v1/service';
import * as workflowMessages from '@tempora/proto/generated/temporal/api/workflowservice/v1/request_response';
import {
  WorkflowServiceService,
  type WorkflowServiceServer,
} from '@tempora/proto/generated/temporal/api/workflowservice/v1/service';
import type { ClusterMetadataRecord } from '@tempora/proto/generated/tempora/persistence/v1/records';
import { serveService, type AsyncHandlers } from '@tempora/rpc';
import { describeNamespace } from './api/describe-namespace.js';
import { describeWorkflowExecution } from './api/describe-workflow-execution.js';
import { deprecateNamespace } from './api/deprecate-namespace.js';
import { getClusterInfo } from './api/get-cluster-info.js';
import { getSystemInfo } from './api/get-system-info.js';
import { listNamespaces } from './api/list-namespaces.js';
import { createNamespace, registerNamespace } from './api/register-namespace.js';
import { updateNamespace } from './api/update-namespace.js';
import type { FrontendContext } from './context.js';
import { NamespaceRegistry } from './namespaces.js';
import { deleteNamespace } from './operator/delete-namespace.js';

export const FRONTEND_GRPC_SERVICES = [
  'temporal.api.workflowservice.v1.WorkflowService',
  'temporal.api.operatorservice.v1.OperatorService',
];

/** Namespaces registered at start when absent get upstream's dev-server retention of one day. */
const DEFAULT_NAMESPACE_RETENTION = { seconds: 24 * 3600, nanos: 0 };

export interface FrontendOptions {
  config: TemporaConfig;
  logger: Logger;
  stores: PersistenceStores;
  cluster: ClusterMetadataRecord;
}

export class FrontendService {
  readonly grpcServiceNames = FRONTEND_GRPC_SERVICES;
  readonly ctx: FrontendContext;

  constructor(options: FrontendOptions) {
    this.ctx = { ...options, logger: options.logger.child({ service: 'frontend' }), namespaces: new NamespaceRegistry(options.stores.namespaces) };
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
      describeWorkflowExecution: describeWorkflowExecution(ctx),
    };
  }

  operatorServiceHandlers(): AsyncHandlers<OperatorServiceServer> {
    return { deleteNamespace: deleteNamespace(this.ctx) };
  }

  register(server: Server): void {
    const logger = this.ctx.logger;
    serveService(server, WorkflowServiceService, this.workflowServiceHandlers(), { logger, messages: workflowMessages });
    serveService(server, OperatorServiceService, this.operatorServiceHandlers(), { logger, messages: operatorMessages });
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

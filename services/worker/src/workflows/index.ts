// The workflows the worker service runs, bundled at build time (scripts/bundle.mjs). The default export is the
// SDK's dynamic workflow: upstream's workflow type names (temporal-sys-scheduler-workflow,
// temporal-sys-batch-workflow-protobuf) are no identifiers.
import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import type { BatcherArgs, DeleteNamespaceArgs, ReclaimNamespaceResourcesArgs, SchedulerArgs } from '@tempora/common';
import { batcherWorkflow } from './batcher.js';
import { deleteNamespaceWorkflow, reclaimNamespaceResourcesWorkflow } from './delete-namespace.js';
import { schedulerWorkflow } from './scheduler.js';

/** Upstream's scheduler workflow type (scheduler.WorkflowType). */
const SCHEDULER_WORKFLOW_TYPE = 'temporal-sys-scheduler-workflow';
/** Upstream's batcher workflow type (batcher.BatchWFTypeProtobufName). */
const BATCHER_WORKFLOW_TYPE = 'temporal-sys-batch-workflow-protobuf';
const DELETE_NAMESPACE_WORKFLOW_TYPE = 'temporal-sys-delete-namespace-workflow';
const RECLAIM_NAMESPACE_RESOURCES_WORKFLOW_TYPE = 'temporal-sys-reclaim-namespace-resources-workflow';

export default async function systemWorkflow(...args: unknown[]): Promise<unknown> {
  const type = workflowInfo().workflowType;
  if (type === SCHEDULER_WORKFLOW_TYPE) return schedulerWorkflow(args[0] as SchedulerArgs);
  if (type === BATCHER_WORKFLOW_TYPE) return batcherWorkflow(args[0] as BatcherArgs);
  if (type === DELETE_NAMESPACE_WORKFLOW_TYPE) return deleteNamespaceWorkflow(args[0] as DeleteNamespaceArgs);
  if (type === RECLAIM_NAMESPACE_RESOURCES_WORKFLOW_TYPE) {
    return reclaimNamespaceResourcesWorkflow(args[0] as ReclaimNamespaceResourcesArgs);
  }
  throw ApplicationFailure.nonRetryable(`unknown system workflow type ${type}`, 'NotFound');
}

// The workflows the worker service runs, bundled at build time (scripts/bundle.mjs). The default export is the
// SDK's dynamic workflow: upstream's workflow type names (temporal-sys-scheduler-workflow,
// temporal-sys-batch-workflow-protobuf) are no identifiers.
import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import type { BatcherArgs, SchedulerArgs } from '@tempora/common';
import { batcherWorkflow } from './batcher.js';
import { schedulerWorkflow } from './scheduler.js';

/** Upstream's scheduler workflow type (scheduler.WorkflowType). */
const SCHEDULER_WORKFLOW_TYPE = 'temporal-sys-scheduler-workflow';
/** Upstream's batcher workflow type (batcher.BatchWFTypeProtobufName). */
const BATCHER_WORKFLOW_TYPE = 'temporal-sys-batch-workflow-protobuf';

export default async function systemWorkflow(...args: unknown[]): Promise<unknown> {
  const type = workflowInfo().workflowType;
  if (type === SCHEDULER_WORKFLOW_TYPE) return schedulerWorkflow(args[0] as SchedulerArgs);
  if (type === BATCHER_WORKFLOW_TYPE) return batcherWorkflow(args[0] as BatcherArgs);
  throw ApplicationFailure.nonRetryable(`unknown system workflow type ${type}`, 'NotFound');
}

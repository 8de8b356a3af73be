// The workflows the worker service runs, bundled at build time (scripts/bundle.mjs). The default export is the
// SDK's dynamic workflow: upstream's workflow type names (temporal-sys-scheduler-workflow) are no identifiers.
import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import type { SchedulerArgs } from '@tempora/common';
import { schedulerWorkflow } from './scheduler.js';

/** Upstream's scheduler workflow type (scheduler.WorkflowType). */
const SCHEDULER_WORKFLOW_TYPE = 'temporal-sys-scheduler-workflow';

export default async function systemWorkflow(...args: unknown[]): Promise<void> {
  const type = workflowInfo().workflowType;
  if (type === SCHEDULER_WORKFLOW_TYPE) return schedulerWorkflow(args[0] as SchedulerArgs);
  throw ApplicationFailure.nonRetryable(`unknown system workflow type ${type}`, 'NotFound');
}

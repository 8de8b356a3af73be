// Resolving the run an external request acts on: the given run, or the current run of the workflow id; with
// first_execution_run_id, the current run only if it belongs to that chain; with child_workflow_only, only if the
// caller is the run's parent (upstream consts.ErrWorkflowExecutionNotFound / ErrWorkflowParent).
import type { WorkflowExecution } from '@tempora/proto/common';
import { notFound } from '@tempora/rpc';
import type { RunKey } from './execution-manager.js';
import type { MutableState } from './mutable-state.js';
import type { ShardEngine } from './shard-controller.js';

export async function targetRun(
  engine: ShardEngine,
  namespaceId: string,
  execution: WorkflowExecution,
  firstExecutionRunId = '',
): Promise<RunKey> {
  const runId = await engine.executions.resolveRunId(
    namespaceId,
    execution.workflowId,
    firstExecutionRunId ? '' : execution.runId,
  );
  return { namespaceId, workflowId: execution.workflowId, runId };
}

export function checkTarget(
  ms: MutableState,
  options: { firstExecutionRunId?: string; childWorkflowOnly?: boolean; externalWorkflowExecution?: WorkflowExecution },
): void {
  if (options.firstExecutionRunId && ms.info.firstExecutionRunId !== options.firstExecutionRunId) {
    throw notFound('workflow execution not found');
  }
  if (options.childWorkflowOnly) {
    const parent = ms.info.parent;
    const caller = options.externalWorkflowExecution;
    if (!parent || parent.workflowId !== caller?.workflowId || parent.runId !== caller?.runId) {
      throw notFound('workflow parent does not match');
    }
  }
}

export const workflowCompleted = () => notFound('workflow execution already completed');

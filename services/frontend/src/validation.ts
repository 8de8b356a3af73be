// Request checks shared by the workflow handlers, with upstream's messages (service/frontend/errors.go).
import { durationToNanos, isValidDuration, type DurationLike } from '@tempora/common';
import type { RetryPolicy, WorkflowExecution } from '@tempora/proto/common';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@tempora/proto/enums';
import type { TaskQueue } from '@tempora/proto/taskqueue';
import { invalidArgument } from '@tempora/rpc';
import { MAX_ID_LENGTH } from './namespaces.js';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** A workflow id: required, at most MAX_ID_LENGTH. */
export function validateWorkflowId(workflowId: string): void {
  if (!workflowId) throw invalidArgument('WorkflowId is not set on request.');
  if (workflowId.length > MAX_ID_LENGTH) throw invalidArgument('WorkflowId length exceeds limit.');
}

/** A workflow execution reference: workflow id required, run id optional but a UUID when present. */
export function validateExecution(execution: WorkflowExecution | undefined): WorkflowExecution {
  if (!execution) throw invalidArgument('Execution is not set on request.');
  validateWorkflowId(execution.workflowId);
  if (execution.runId && !isUuid(execution.runId)) throw invalidArgument('Invalid RunId.');
  return execution;
}

export function validateTaskQueue(taskQueue: TaskQueue | undefined): void {
  if (!taskQueue?.name) throw invalidArgument('TaskQueue is not set on request.');
  if (taskQueue.name.length > MAX_ID_LENGTH) throw invalidArgument('TaskQueue length exceeds limit.');
}

/** Names of partitions other than the root start with this; a top-level task queue's name may not. */
const RESERVED_TASK_QUEUE_PREFIX = '/_sys/';

/** A top-level task queue, as upstream's tqid.NormalizeAndValidate checks it (its messages differ from the above). */
export function validateUserTaskQueue(taskQueue: TaskQueue | undefined): void {
  if (!taskQueue) throw invalidArgument('taskQueue is not set');
  if (!taskQueue.name) throw invalidArgument('missing task queue name');
  if (taskQueue.name.length > MAX_ID_LENGTH) throw invalidArgument('taskQueue length exceeds limit');
  if (taskQueue.name.startsWith(RESERVED_TASK_QUEUE_PREFIX)) {
    throw invalidArgument(`task queue name cannot start with reserved prefix ${RESERVED_TASK_QUEUE_PREFIX}`);
  }
}

export function validateIdentity(identity: string): void {
  if (identity.length > MAX_ID_LENGTH) throw invalidArgument('Identity length exceeds limit.');
}

export function validatePageSize(pageSize: number): void {
  if (pageSize < 0) throw invalidArgument('Invalid PageSize.');
}

/** Unset is valid; a set duration must be non-negative with both parts of the same sign. */
export function validateDuration(duration: DurationLike | undefined, message: string): void {
  if (!isValidDuration(duration)) throw invalidArgument(message);
}

/** Upstream's retry policy rules; zero fields mean "use the default" and are not checked here. */
export function validateRetryPolicy(policy: RetryPolicy | undefined): void {
  // A single attempt never retries, so the other fields cannot matter (upstream skips them too).
  if (!policy || policy.maximumAttempts === 1) return;
  validateDuration(policy.initialInterval, 'InitialInterval cannot be negative on retry policy.');
  if (policy.backoffCoefficient !== 0 && policy.backoffCoefficient < 1) {
    throw invalidArgument('BackoffCoefficient cannot be less than 1 on retry policy.');
  }
  validateDuration(policy.maximumInterval, 'MaximumInterval cannot be negative on retry policy.');
  const maximum = durationToNanos(policy.maximumInterval);
  if (maximum > 0n && maximum < durationToNanos(policy.initialInterval)) {
    throw invalidArgument('MaximumInterval cannot be less than InitialInterval on retry policy.');
  }
  if (policy.maximumAttempts < 0) throw invalidArgument('MaximumAttempts cannot be negative on retry policy.');
}

export interface WorkflowIdPolicies {
  workflowIdReusePolicy: WorkflowIdReusePolicy;
  workflowIdConflictPolicy: WorkflowIdConflictPolicy;
}

/** Upstream's incompatible pairs; an unset conflict policy is compatible with every reuse policy. */
export function validateWorkflowIdPolicies(policies: WorkflowIdPolicies): void {
  const { workflowIdReusePolicy, workflowIdConflictPolicy } = policies;
  if (
    workflowIdReusePolicy === WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING &&
    workflowIdConflictPolicy !== WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED
  ) {
    throw invalidArgument(
      'Invalid WorkflowIDReusePolicy: WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING cannot be used together with a WorkflowIDConflictPolicy',
    );
  }
  if (
    workflowIdReusePolicy === WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE &&
    workflowIdConflictPolicy === WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING
  ) {
    throw invalidArgument(
      'Invalid WorkflowIDReusePolicy: WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE cannot be used together with WorkflowIdConflictPolicy WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING',
    );
  }
}

/**
 * Upstream's defaults (enums.SetDefaultWorkflowIDPolicies), so history only ever sees explicit policies: the
 * deprecated reuse policy TERMINATE_IF_RUNNING alone becomes conflict policy TERMINATE_EXISTING, any other unset
 * conflict policy becomes the default (FAIL for a start, USE_EXISTING for signal-with-start), and an unset reuse
 * policy ALLOW_DUPLICATE.
 */
export function withDefaultWorkflowIdPolicies(
  policies: WorkflowIdPolicies,
  defaultConflictPolicy = WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
): WorkflowIdPolicies {
  let { workflowIdReusePolicy, workflowIdConflictPolicy } = policies;
  if (workflowIdConflictPolicy === WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED) {
    if (workflowIdReusePolicy === WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING) {
      workflowIdConflictPolicy = WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING;
      workflowIdReusePolicy = WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE;
    } else {
      workflowIdConflictPolicy = defaultConflictPolicy;
    }
  }
  if (workflowIdReusePolicy === WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED) {
    workflowIdReusePolicy = WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE;
  }
  return { workflowIdReusePolicy, workflowIdConflictPolicy };
}

export function validateSignalName(signalName: string): void {
  if (!signalName) throw invalidArgument('SignalName is not set on request.');
  if (signalName.length > MAX_ID_LENGTH) throw invalidArgument('SignalName length exceeds limit.');
}

export function validateRequestId(requestId: string): void {
  if (requestId.length > MAX_ID_LENGTH) throw invalidArgument('RequestId length exceeds limit.');
}

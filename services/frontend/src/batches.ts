// What the batch-operation RPCs share: upstream's request validation (batcher.ValidateBatchOperation), the memo
// strings of each operation type and the job state derived from the batcher workflow's status.
import type { BatchOperationKind } from '@tempora/common';
import {
  BatchOperationState,
  BatchOperationType,
  ExecutionType,
  ResetType,
  WorkflowExecutionStatus,
} from '@tempora/proto/enums';
import type { StartBatchOperationRequest } from '@tempora/proto/workflowservice';
import { invalidArgument } from '@tempora/rpc';

/** The Go type names upstream's messages print with %T. */
const OPERATION_GO_TYPES: Record<string, string> = {
  terminationOperation: 'TerminationOperation',
  signalOperation: 'SignalOperation',
  cancellationOperation: 'CancellationOperation',
  deletionOperation: 'DeletionOperation',
  resetOperation: 'ResetOperation',
  updateWorkflowOptionsOperation: 'UpdateWorkflowOptionsOperation',
  unpauseActivitiesOperation: 'UnpauseActivitiesOperation',
  resetActivitiesOperation: 'ResetActivitiesOperation',
  updateActivityOptionsOperation: 'UpdateActivityOptionsOperation',
  cancelActivitiesOperation: 'CancelActivitiesOperation',
  terminateActivitiesOperation: 'TerminateActivitiesOperation',
  deleteActivitiesOperation: 'DeleteActivitiesOperation',
};
const ACTIVITY_OPERATIONS = new Set([
  'cancelActivitiesOperation',
  'terminateActivitiesOperation',
  'deleteActivitiesOperation',
]);

/** Enum values as api-go's String() prints them in upstream's messages. */
const EXECUTION_TYPE_NAMES: Record<number, string> = {
  [ExecutionType.EXECUTION_TYPE_UNSPECIFIED]: 'Unspecified',
  [ExecutionType.EXECUTION_TYPE_WORKFLOW]: 'Workflow',
  [ExecutionType.EXECUTION_TYPE_ACTIVITY]: 'Activity',
};

const goType = (field: string) => `*workflowservice.StartBatchOperationRequest_${OPERATION_GO_TYPES[field]}`;

/** The request's operation field (the proto oneof), if any. */
export function operationField(request: StartBatchOperationRequest): keyof typeof OPERATION_GO_TYPES | undefined {
  return Object.keys(OPERATION_GO_TYPES).find((f) => request[f as keyof StartBatchOperationRequest] !== undefined);
}

/** Upstream's ValidateBatchOperation, message for message and in its order. */
export function validateBatchRequest(request: StartBatchOperationRequest): void {
  const field = operationField(request);
  const selectors = [
    request.visibilityQuery.length > 0,
    request.executions.length > 0,
    request.targetExecutions.length > 0,
  ].filter(Boolean).length;
  if (!field || !request.reason || !request.namespace || selectors === 0) {
    throw invalidArgument(
      'must provide required parameters: BatchType,Reason,Namespace, AND one of (Query OR Executions OR TargetExecutions)',
    );
  }
  if (!request.jobId) throw invalidArgument('JobId is not set on request.');
  if (selectors > 1) {
    throw invalidArgument('visibility query, executions, and target executions are mutually exclusive');
  }
  const expected = ACTIVITY_OPERATIONS.has(field)
    ? ExecutionType.EXECUTION_TYPE_ACTIVITY
    : ExecutionType.EXECUTION_TYPE_WORKFLOW;
  request.targetExecutions.forEach((execution, i) => {
    if (execution.type !== expected) {
      throw invalidArgument(
        `target_executions[${i}] has type ${EXECUTION_TYPE_NAMES[execution.type] ?? execution.type}, but operation ` +
          `${goType(field)} requires ${EXECUTION_TYPE_NAMES[expected]}`,
      );
    }
  });
  if (field === 'signalOperation' && !request.signalOperation!.signal) {
    throw invalidArgument('must provide signal name');
  }
  if (field === 'updateWorkflowOptionsOperation') {
    const op = request.updateWorkflowOptionsOperation!;
    if (!op.workflowExecutionOptions) throw invalidArgument('must provide UpdateOptions');
    if (!op.updateMask) throw invalidArgument('must provide UpdateMask');
  }
  if (field === 'resetOperation') {
    const op = request.resetOperation!;
    if (op.options) {
      const o = op.options;
      const targets = [o.firstWorkflowTask, o.lastWorkflowTask, o.workflowTaskId, o.buildId];
      if (targets.every((t) => t === undefined)) {
        throw invalidArgument('batch reset missing target');
      }
    } else if (
      op.resetType !== ResetType.RESET_TYPE_FIRST_WORKFLOW_TASK &&
      op.resetType !== ResetType.RESET_TYPE_LAST_WORKFLOW_TASK
    ) {
      // Go prints the enum as api-go's String() does.
      const name = op.resetType === ResetType.RESET_TYPE_UNSPECIFIED ? 'Unspecified' : op.resetType;
      throw invalidArgument(`unknown batch reset type ${name}`);
    }
  }
}

/**
 * The operations Tempora runs, with upstream's memo strings. The others name RPCs this server does not have
 * (UpdateWorkflowExecutionOptions, the activity RPCs, standalone activities), so they are refused as upstream
 * refuses an operation it does not support.
 */
const KINDS: Record<string, BatchOperationKind> = {
  terminationOperation: 'terminate',
  cancellationOperation: 'cancel',
  signalOperation: 'signal',
  deletionOperation: 'delete',
  resetOperation: 'reset',
};

export function operationKind(request: StartBatchOperationRequest): BatchOperationKind {
  const field = operationField(request)!;
  const kind = KINDS[field];
  if (!kind) {
    throw invalidArgument(
      ACTIVITY_OPERATIONS.has(field)
        ? `The operation type ${goType(field)} is not supported for this namespace`
        : `The operation type ${goType(field)} is not supported`,
    );
  }
  return kind;
}

/** The operation's identity (the job's BatcherUser). */
export function operationIdentity(request: StartBatchOperationRequest): string {
  const field = operationField(request);
  const op = field ? (request[field as keyof StartBatchOperationRequest] as { identity?: string }) : undefined;
  return op?.identity ?? '';
}

/** Upstream's batchOperationTypeFromString: the non-deprecated *_WORKFLOW values. */
const TYPES: Record<string, BatchOperationType> = {
  terminate: BatchOperationType.BATCH_OPERATION_TYPE_TERMINATE_WORKFLOW,
  cancel: BatchOperationType.BATCH_OPERATION_TYPE_CANCEL_WORKFLOW,
  signal: BatchOperationType.BATCH_OPERATION_TYPE_SIGNAL_WORKFLOW,
  delete: BatchOperationType.BATCH_OPERATION_TYPE_DELETE_WORKFLOW,
  reset: BatchOperationType.BATCH_OPERATION_TYPE_RESET_WORKFLOW,
};

export function operationType(kind: string | undefined): BatchOperationType {
  return (kind && TYPES[kind]) || BatchOperationType.BATCH_OPERATION_TYPE_UNSPECIFIED;
}

/** Upstream's getBatchOperationState. */
export function operationState(status: WorkflowExecutionStatus | undefined): BatchOperationState {
  if (status === WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
    return BatchOperationState.BATCH_OPERATION_STATE_RUNNING;
  }
  if (status === WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
    return BatchOperationState.BATCH_OPERATION_STATE_COMPLETED;
  }
  return BatchOperationState.BATCH_OPERATION_STATE_FAILED;
}

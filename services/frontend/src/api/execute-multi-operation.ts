import { randomUUID } from 'node:crypto';
import type {
  ExecuteMultiOperationRequest,
  ExecuteMultiOperationResponse,
  StartWorkflowExecutionRequest,
  UpdateWorkflowExecutionRequest,
} from '@tempora/proto/workflowservice';
import {
  ABORTED_OPERATION,
  invalidArgument,
  isRpcError,
  multiOperationFailed,
  operationStatus,
  type CallContext,
  type DeepPartial,
} from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { prepareUpdateRequest } from '../update-requests.js';
import { withDefaultWorkflowIdPolicies } from '../validation.js';
import { validateStartRequest } from './start-workflow-execution.js';

const NOT_START_AND_UPDATE = 'Operations have to be exactly [Start, Update].';

/** Update-with-start, the one multi-operation upstream supports: [StartWorkflow, UpdateWorkflow] on one workflow id. */
export function executeMultiOperation(ctx: FrontendContext) {
  return async (
    request: ExecuteMultiOperationRequest,
    call: CallContext,
  ): Promise<DeepPartial<ExecuteMultiOperationResponse>> => {
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    const [startOp, updateOp, ...rest] = request.operations;
    if (!startOp?.startWorkflow || !updateOp?.updateWorkflow || rest.length)
      throw invalidArgument(NOT_START_AND_UPDATE);
    // Like upstream, each operation is checked on its own and a failure is reported in its slot, the other aborted.
    const start = check(() => prepareStart(request.namespace, startOp.startWorkflow!));
    const update = check(() => prepareUpdate(request.namespace, updateOp.updateWorkflow!));
    const errors: [unknown, unknown] = [start.error, update.error];
    if (!errors[0] && !errors[1] && start.value!.workflowId !== update.value!.workflowExecution!.workflowId) {
      errors[1] = invalidArgument('WorkflowId is not consistent with previous operation(s).');
    }
    if (errors[0] || errors[1]) {
      throw multiOperationFailed(
        'Update-with-Start could not be executed.',
        errors.map((err) => (err && isRpcError(err) ? operationStatus(err) : ABORTED_OPERATION)),
      );
    }
    const result = await ctx.history.updateWithStartWorkflowExecution(
      { namespaceId, startRequest: start.value, updateRequest: update.value },
      call,
    );
    return { responses: [{ startWorkflow: result.startResponse }, { updateWorkflow: result.updateResponse }] };
  };
}

function check<T>(fn: () => T): { value?: T; error?: unknown } {
  try {
    return { value: fn() };
  } catch (error) {
    return { error };
  }
}

function prepareStart(namespace: string, start: StartWorkflowExecutionRequest): StartWorkflowExecutionRequest {
  if (start.namespace && start.namespace !== namespace)
    throw invalidArgument("Operation namespace did not match request's namespace.");
  validateStartRequest(start);
  if (start.cronSchedule) throw invalidArgument('CronSchedule is not allowed.');
  if (start.requestEagerExecution) throw invalidArgument('RequestEagerExecution is not supported.');
  if (start.workflowStartDelay && (start.workflowStartDelay.seconds > 0 || start.workflowStartDelay.nanos > 0)) {
    throw invalidArgument('WorkflowStartDelay is not supported.');
  }
  return { ...start, ...withDefaultWorkflowIdPolicies(start), requestId: start.requestId || randomUUID() };
}

function prepareUpdate(namespace: string, update: UpdateWorkflowExecutionRequest): UpdateWorkflowExecutionRequest {
  if (update.namespace && update.namespace !== namespace)
    throw invalidArgument("Operation namespace did not match request's namespace.");
  const prepared = prepareUpdateRequest(update);
  if (prepared.firstExecutionRunId) throw invalidArgument('FirstExecutionRunId is not allowed.');
  if (prepared.workflowExecution!.runId) throw invalidArgument('RunId is not allowed.');
  return prepared;
}

import { randomUUID } from 'node:crypto';
import { cronScheduleError } from '@tempora/common';
import { WorkflowIdConflictPolicy } from '@tempora/proto/enums';
import type {
  SignalWithStartWorkflowExecutionRequest,
  SignalWithStartWorkflowExecutionResponse,
} from '@tempora/proto/workflowservice';
import { invalidArgument, type CallContext, type DeepPartial } from '@tempora/rpc';
import type { FrontendContext } from '../context.js';
import { MAX_ID_LENGTH } from '../namespaces.js';
import { checkMemo, checkPayloads } from '../size-limits.js';
import {
  validateDuration,
  validateRetryPolicy,
  validateTaskQueue,
  validateWorkflowIdPolicies,
  withDefaultWorkflowIdPolicies,
} from '../validation.js';

export function signalWithStartWorkflowExecution(ctx: FrontendContext) {
  return async (
    request: SignalWithStartWorkflowExecutionRequest,
    call: CallContext,
  ): Promise<DeepPartial<SignalWithStartWorkflowExecutionResponse>> => {
    const namespaceId = await ctx.namespaces.resolveId(request.namespace);
    validateSignalWithStart(request);
    const scope = { namespace: request.namespace, workflowId: request.workflowId };
    checkPayloads(ctx, 'SignalWithStartWorkflowExecutionRequest.SignalInput', request.signalInput, scope);
    checkPayloads(ctx, 'SignalWithStartWorkflowExecutionRequest.Input', request.input, scope);
    checkMemo(ctx, 'SignalWithStartWorkflowExecutionRequest.Memo', request.memo, scope);
    const policies = withDefaultWorkflowIdPolicies(
      request,
      WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
    );
    const result = await ctx.history.signalWithStartWorkflowExecution(
      { namespaceId, request: { ...request, ...policies, requestId: request.requestId || randomUUID() } },
      call,
    );
    return result.response ?? {};
  };
}

/** Upstream's checks and messages (RequestValidator.ValidateSignalWithStartRequest), in its order. */
function validateSignalWithStart(request: SignalWithStartWorkflowExecutionRequest): void {
  const limit = MAX_ID_LENGTH;
  if (!request.workflowId) throw invalidArgument('WorkflowId is not set on request.');
  if (request.workflowId.length > limit)
    throw invalidArgument(`WorkflowId exceeds maximum allowed length (${request.workflowId.length}/${limit})`);
  if (!request.signalName) throw invalidArgument('signal not set');
  if (request.signalName.length > limit)
    throw invalidArgument(`signal name exceeds maximum allowed length (${request.signalName.length}/${limit})`);
  const type = request.workflowType?.name ?? '';
  if (!type) throw invalidArgument('workflow type not set');
  if (type.length > limit)
    throw invalidArgument(`workflow type name exceeds maximum allowed length (${type.length}/${limit})`);
  validateTaskQueue(request.taskQueue);
  if (request.requestId.length > limit)
    throw invalidArgument(`Request ID exceeds maximum allowed length (${request.requestId.length}/${limit})`);
  validateDuration(request.workflowExecutionTimeout, 'An invalid WorkflowExecutionTimeoutSeconds is set on request.');
  validateDuration(request.workflowRunTimeout, 'An invalid WorkflowRunTimeoutSeconds is set on request.');
  validateDuration(request.workflowTaskTimeout, 'An invalid WorkflowTaskTimeoutSeconds is set on request.');
  validateRetryPolicy(request.retryPolicy);
  if (request.cronSchedule && request.workflowStartDelay)
    throw invalidArgument('CronSchedule and WorkflowStartDelay may not be used together.');
  validateDuration(request.workflowStartDelay, 'An invalid WorkflowStartDelaySeconds is set on request.');
  const cronError = request.cronSchedule ? cronScheduleError(request.cronSchedule) : undefined;
  if (cronError) throw invalidArgument(cronError);
  validateWorkflowIdPolicies(request);
  if (request.workflowIdConflictPolicy === WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL) {
    throw invalidArgument(
      'Invalid WorkflowIDConflictPolicy: WORKFLOW_ID_CONFLICT_POLICY_FAIL is not supported for this operation.',
    );
  }
}

import { randomUUID } from 'node:crypto';
import { cronScheduleError } from '@tempora/common';
import type { StartWorkflowExecutionRequest, StartWorkflowExecutionResponse } from '@tempora/proto/workflowservice';
import { invalidArgument, type CallContext, type DeepPartial } from '@tempora/rpc';
import { sealWorkflowTask } from '../history-page-tokens.js';
import type { FrontendContext } from '../context.js';
import { MAX_ID_LENGTH } from '../namespaces.js';
import {
  validateDuration,
  validateRequestId,
  validateRetryPolicy,
  validateTaskQueue,
  validateWorkflowId,
  validateWorkflowIdPolicies,
  withDefaultWorkflowIdPolicies,
} from '../validation.js';
import { checkMemo, checkPayloads } from '../size-limits.js';
import { validateRequestSearchAttributes } from '../visibility.js';

export function startWorkflowExecution(ctx: FrontendContext) {
  return async (
    request: StartWorkflowExecutionRequest,
    call: CallContext,
  ): Promise<DeepPartial<StartWorkflowExecutionResponse>> => {
    const namespace = await ctx.namespaces.resolve(request.namespace);
    const namespaceId = namespace.info!.id;
    validateStartRequest(request);
    validateRequestSearchAttributes(namespace, request.searchAttributes);
    const scope = { namespace: request.namespace, workflowId: request.workflowId };
    checkPayloads(ctx, 'StartWorkflowExecutionRequest.Input', request.input, scope);
    checkMemo(ctx, 'StartWorkflowExecutionRequest.Memo', request.memo, scope);
    const result = await ctx.history.startWorkflowExecution(
      {
        namespaceId,
        request: {
          ...request,
          ...withDefaultWorkflowIdPolicies(request),
          // History deduplicates starts by request id, so a start without one still gets one before it is stored.
          requestId: request.requestId || randomUUID(),
        },
      },
      call,
    );
    const response = result.response;
    if (!response?.eagerWorkflowTask) return response ?? {};
    return { ...response, eagerWorkflowTask: sealWorkflowTask(ctx, namespaceId, response.eagerWorkflowTask) };
  };
}

/** Upstream's checks, in upstream's order (prepareStartWorkflowRequest). */
export function validateStartRequest(request: StartWorkflowExecutionRequest): void {
  validateWorkflowId(request.workflowId);
  validateRetryPolicy(request.retryPolicy);
  if (request.cronSchedule && request.workflowStartDelay) {
    throw invalidArgument('CronSchedule and WorkflowStartDelay may not be used together.');
  }
  validateDuration(request.workflowStartDelay, 'Invalid WorkflowStartDelay.');
  const cronError = request.cronSchedule ? cronScheduleError(request.cronSchedule) : undefined;
  if (cronError) throw invalidArgument(cronError);
  if (!request.workflowType?.name) throw invalidArgument('WorkflowType is not set on request.');
  if (request.workflowType.name.length > MAX_ID_LENGTH) throw invalidArgument('WorkflowType length exceeds limit.');
  validateTaskQueue(request.taskQueue);
  validateDuration(request.workflowExecutionTimeout, 'Invalid WorkflowExecutionTimeout.');
  validateDuration(request.workflowRunTimeout, 'Invalid WorkflowRunTimeout.');
  validateDuration(request.workflowTaskTimeout, 'Invalid WorkflowTaskTimeout.');
  validateRequestId(request.requestId);
  validateWorkflowIdPolicies(request);
}

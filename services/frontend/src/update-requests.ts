// Checks shared by the update RPCs, with upstream's messages (prepareUpdateWorkflowRequest).
import { randomUUID } from 'node:crypto';
import { UpdateWorkflowExecutionLifecycleStage as Stage } from '@tempora/proto/enums';
import type { UpdateWorkflowExecutionRequest } from '@tempora/proto/workflowservice';
import { invalidArgument, permissionDenied } from '@tempora/rpc';
import { MAX_ID_LENGTH } from './namespaces.js';
import { validateExecution } from './validation.js';

/** Validates the request and returns it with upstream's defaults: a generated update id, wait stage COMPLETED. */
export function prepareUpdateRequest(request: UpdateWorkflowExecutionRequest): UpdateWorkflowExecutionRequest {
  validateExecution(request.workflowExecution);
  const update = request.request;
  const meta = update?.meta;
  if (!update || !meta) throw invalidArgument('Update meta is not set on request.');
  if (meta.updateId.length > MAX_ID_LENGTH) throw invalidArgument('UpdateId length exceeds limit.');
  if (!update.input) throw invalidArgument('Update input is not set on request.');
  if (!update.input.name) throw invalidArgument('Update name is not set on request.');
  const stage = request.waitPolicy?.lifecycleStage || Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED;
  if (stage === Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED) {
    throw permissionDenied(
      'UpdateWorkflowExecution issued asynchronously and waiting on update admitted is not supported.',
    );
  }
  return {
    ...request,
    request: { ...update, meta: { ...meta, updateId: meta.updateId || randomUUID() } },
    waitPolicy: { lifecycleStage: stage },
  };
}

// Request checks shared by the workflow handlers, with upstream's messages (service/frontend/errors.go).
import type { WorkflowExecution } from '@tempora/proto/generated/temporal/api/common/v1/message';
import { invalidArgument } from '@tempora/rpc';
import { MAX_ID_LENGTH } from './namespaces.js';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** A workflow execution reference: workflow id required, run id optional but a UUID when present. */
export function validateExecution(execution: WorkflowExecution | undefined): WorkflowExecution {
  if (!execution) throw invalidArgument('Execution is not set on request.');
  if (!execution.workflowId) throw invalidArgument('WorkflowId is not set on request.');
  if (execution.workflowId.length > MAX_ID_LENGTH) throw invalidArgument('WorkflowId length exceeds limit.');
  if (execution.runId && !isUuid(execution.runId)) throw invalidArgument('Invalid RunId.');
  return execution;
}

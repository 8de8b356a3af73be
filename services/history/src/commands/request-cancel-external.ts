// RequestCancelExternalWorkflowExecution: validated here, initiated by external-commands.ts.
import { WorkflowTaskFailedCause } from '@tempora/proto/enums';
import { initiateCancelExternal } from '../external-commands.js';
import {
  CommandValidationError,
  MAX_ID_LENGTH,
  RUN_ID_PATTERN,
  requireTargetNamespace,
  targetNamespace,
  type CommandHandler,
} from './command-handler.js';

export const requestCancelExternal: CommandHandler = {
  namespaceName: (command) => command.requestCancelExternalWorkflowExecutionCommandAttributes?.namespace ?? '',

  validate(command, { namespaces, childWorkflowIdsThisTask }) {
    const a = command.requestCancelExternalWorkflowExecutionCommandAttributes;
    requireTargetNamespace(namespaces, a?.namespace ?? '');
    const cause =
      WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES;
    if (!a)
      throw new CommandValidationError(
        cause,
        'RequestCancelExternalWorkflowExecutionCommandAttributes is not set on RequestCancelExternalWorkflowExecutionCommand.',
      );
    if (!a.workflowId)
      throw new CommandValidationError(
        cause,
        `WorkflowId is not set on RequestCancelExternalWorkflowExecutionCommand. Namespace=${a.namespace} RunId=${a.runId}`,
      );
    if (a.workflowId.length > MAX_ID_LENGTH)
      throw new CommandValidationError(
        cause,
        `WorkflowId on RequestCancelExternalWorkflowExecutionCommand exceeds length limit. WorkflowId=${a.workflowId} Length=${a.workflowId.length} Limit=${MAX_ID_LENGTH} RunId=${a.runId} Namespace=${a.namespace}`,
      );
    if (a.runId && !RUN_ID_PATTERN.test(a.runId))
      throw new CommandValidationError(
        cause,
        `Invalid RunId set on RequestCancelExternalWorkflowExecutionCommand. WorkflowId=${a.workflowId} RunId=${a.runId} Namespace=${a.namespace}`,
      );
    if (childWorkflowIdsThisTask.has(a.workflowId))
      throw new CommandValidationError(
        cause,
        `Start and RequestCancel for child workflow is not allowed in same workflow task. WorkflowId=${a.workflowId} RunId=${a.runId} Namespace=${a.namespace}`,
      );
  },

  apply(command, { ms, completedEventId, namespaces }) {
    const a = command.requestCancelExternalWorkflowExecutionCommandAttributes!;
    initiateCancelExternal(ms, command, completedEventId, targetNamespace(namespaces, a.namespace)!);
  },
};

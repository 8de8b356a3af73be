// SignalExternalWorkflowExecution: validated here, initiated by external-commands.ts.
import { WorkflowTaskFailedCause } from '@tempora/proto/enums';
import { initiateSignalExternal } from '../external-commands.js';
import {
  CommandValidationError,
  MAX_ID_LENGTH,
  RUN_ID_PATTERN,
  requireTargetNamespace,
  targetNamespace,
  type CommandHandler,
} from './command-handler.js';

export const signalExternal: CommandHandler = {
  namespaceName: (command) => command.signalExternalWorkflowExecutionCommandAttributes?.namespace ?? '',

  validate(command, { namespaces }) {
    const a = command.signalExternalWorkflowExecutionCommandAttributes;
    requireTargetNamespace(namespaces, a?.namespace ?? '');
    const cause = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES;
    if (!a)
      throw new CommandValidationError(
        cause,
        'SignalExternalWorkflowExecutionCommandAttributes is not set on SignalExternalWorkflowExecutionCommand.',
      );
    if (!a.execution)
      throw new CommandValidationError(cause, 'Execution is not set on SignalExternalWorkflowExecutionCommand.');
    const { workflowId, runId } = a.execution;
    if (!workflowId)
      throw new CommandValidationError(
        cause,
        `WorkflowId is not set on SignalExternalWorkflowExecutionCommand. Namespace=${a.namespace} RunId=${runId} SignalName=${a.signalName}`,
      );
    if (workflowId.length > MAX_ID_LENGTH)
      throw new CommandValidationError(
        cause,
        `WorkflowId on SignalExternalWorkflowExecutionCommand exceeds length limit. WorkflowId=${workflowId} Length=${workflowId.length} Limit=${MAX_ID_LENGTH} Namespace=${a.namespace} RunId=${runId} SignalName=${a.signalName}`,
      );
    if (runId && !RUN_ID_PATTERN.test(runId))
      throw new CommandValidationError(
        cause,
        `Invalid RunId set on SignalExternalWorkflowExecutionCommand. WorkflowId=${workflowId} Namespace=${a.namespace} RunId=${runId} SignalName=${a.signalName}`,
      );
    if (!a.signalName)
      throw new CommandValidationError(
        cause,
        `SignalName is not set on SignalExternalWorkflowExecutionCommand. WorkflowId=${workflowId} Namespace=${a.namespace} RunId=${runId}`,
      );
  },

  apply(command, { ms, completedEventId, namespaces }) {
    const a = command.signalExternalWorkflowExecutionCommandAttributes!;
    initiateSignalExternal(ms, command, completedEventId, targetNamespace(namespaces, a.namespace)!);
  },
};

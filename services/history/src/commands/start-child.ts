// StartChildWorkflowExecution: validated here, initiated by children.ts (which also records the outcomes).
import { isValidCronSchedule } from '@tempora/common';
import { WorkflowTaskFailedCause } from '@tempora/proto/enums';
import { initiateChild } from '../children.js';
import {
  CommandValidationError,
  MAX_ID_LENGTH,
  durationProblem,
  requireTargetNamespace,
  targetNamespace,
  type CommandHandler,
} from './command-handler.js';

export const startChild: CommandHandler = {
  namespaceName: (command) => command.startChildWorkflowExecutionCommandAttributes?.namespace ?? '',

  validate(command, { namespaces, childWorkflowIdsThisTask }) {
    const a = command.startChildWorkflowExecutionCommandAttributes;
    const cause = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES;
    if (!a)
      throw new CommandValidationError(
        cause,
        'StartChildWorkflowExecutionCommandAttributes is not set on StartChildWorkflowExecutionCommand.',
      );
    // The target namespace is looked up first; the messages name it (the run's own when the command names none).
    const ns = requireTargetNamespace(namespaces, a.namespace).name;
    const type = a.workflowType?.name ?? '';
    if (!a.workflowId)
      throw new CommandValidationError(
        cause,
        `Required field WorkflowId is not set on StartChildWorkflowExecutionCommand. WorkflowType=${type} Namespace=${ns}`,
      );
    if (!type)
      throw new CommandValidationError(
        cause,
        `Required field WorkflowType is not set on StartChildWorkflowExecutionCommand. WorkflowId=${a.workflowId} Namespace=${ns}`,
      );
    if (a.workflowId.length > MAX_ID_LENGTH)
      throw new CommandValidationError(
        cause,
        `WorkflowId on StartChildWorkflowExecutionCommand exceeds length limit. WorkflowId=${a.workflowId} Length=${a.workflowId.length} Limit=${MAX_ID_LENGTH} WorkflowType=${type} Namespace=${ns}`,
      );
    if (type.length > MAX_ID_LENGTH)
      throw new CommandValidationError(
        cause,
        `WorkflowType on StartChildWorkflowExecutionCommand exceeds length limit. WorkflowId=${a.workflowId} WorkflowType=${type} Length=${type.length} Limit=${MAX_ID_LENGTH} Namespace=${ns}`,
      );
    for (const [name, d] of [
      ['WorkflowExecutionTimeout', a.workflowExecutionTimeout],
      ['WorkflowRunTimeout', a.workflowRunTimeout],
      ['WorkflowTaskTimeout', a.workflowTaskTimeout],
    ] as const) {
      const problem = durationProblem(d);
      if (problem)
        throw new CommandValidationError(
          cause,
          `Invalid ${name} on StartChildWorkflowExecutionCommand: ${problem}. WorkflowId=${a.workflowId} WorkflowType=${type} Namespace=${ns}`,
        );
    }
    if (a.cronSchedule && !isValidCronSchedule(a.cronSchedule))
      throw new CommandValidationError(
        cause,
        `invalid CronSchedule on StartChildWorkflowExecutionCommand: invalid CronSchedule.. WorkflowId=${a.workflowId} WorkflowType=${type} Namespace=${ns}`,
      );
    childWorkflowIdsThisTask.add(a.workflowId);
  },

  apply(command, { ms, completedEventId, namespaces }) {
    const a = command.startChildWorkflowExecutionCommandAttributes!;
    initiateChild(ms, command, completedEventId, targetNamespace(namespaces, a.namespace)!);
  },
};

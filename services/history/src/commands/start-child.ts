// StartChildWorkflowExecution: validated here, initiated by children.ts (which also records the outcomes).
import { isValidCronSchedule } from '@tempora/common';
import { WorkflowTaskFailedCause } from '@tempora/proto/enums';
import { initiateChild } from '../children.js';
import {
  CommandValidationError,
  MAX_ID_LENGTH,
  badDuration,
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
    const type = a.workflowType?.name ?? '';
    if (!a.workflowId)
      throw new CommandValidationError(
        cause,
        `Required field WorkflowId is not set on StartChildWorkflowExecutionCommand. WorkflowType=${type} Namespace=${a.namespace}`,
      );
    if (!type)
      throw new CommandValidationError(
        cause,
        `Required field WorkflowType is not set on StartChildWorkflowExecutionCommand. WorkflowId=${a.workflowId} Namespace=${a.namespace}`,
      );
    if (a.workflowId.length > MAX_ID_LENGTH)
      throw new CommandValidationError(
        cause,
        `WorkflowId on StartChildWorkflowExecutionCommand exceeds length limit. WorkflowId=${a.workflowId} Length=${a.workflowId.length} Limit=${MAX_ID_LENGTH} WorkflowType=${type} Namespace=${a.namespace}`,
      );
    if (type.length > MAX_ID_LENGTH)
      throw new CommandValidationError(
        cause,
        `WorkflowType on StartChildWorkflowExecutionCommand exceeds length limit. WorkflowId=${a.workflowId} WorkflowType=${type} Length=${type.length} Limit=${MAX_ID_LENGTH} Namespace=${a.namespace}`,
      );
    for (const [name, d] of [
      ['WorkflowExecutionTimeout', a.workflowExecutionTimeout],
      ['WorkflowRunTimeout', a.workflowRunTimeout],
      ['WorkflowTaskTimeout', a.workflowTaskTimeout],
    ] as const) {
      if (badDuration(d))
        throw new CommandValidationError(
          cause,
          `Invalid ${name} on StartChildWorkflowExecutionCommand. WorkflowId=${a.workflowId} WorkflowType=${type} Namespace=${a.namespace}`,
        );
    }
    if (a.cronSchedule && !isValidCronSchedule(a.cronSchedule))
      throw new CommandValidationError(
        cause,
        `invalid CronSchedule on StartChildWorkflowExecutionCommand. WorkflowId=${a.workflowId} WorkflowType=${type} Namespace=${a.namespace}`,
      );
    if (!targetNamespace(namespaces, a.namespace))
      throw new CommandValidationError(cause, `Namespace ${a.namespace} is not found.`);
    childWorkflowIdsThisTask.add(a.workflowId);
  },

  apply(command, { ms, completedEventId, namespaces }) {
    const a = command.startChildWorkflowExecutionCommandAttributes!;
    initiateChild(ms, command, completedEventId, targetNamespace(namespaces, a.namespace)!);
  },
};

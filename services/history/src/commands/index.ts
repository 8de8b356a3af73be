// A workflow task's commands (upstream workflow_task_completed_handler.go + command_attr_validator.go): one handler
// per command type, in its own module. All commands are validated before any is applied, so a bad command fails
// the task without half its effects.
import type { Command } from '@tempora/proto/command';
import { CommandType, WorkflowTaskFailedCause } from '@tempora/proto/enums';
import type { MutableState } from '../mutable-state.js';
import { cancelTimer } from './cancel-timer.js';
import { cancelWorkflow } from './cancel-workflow.js';
import {
  CommandValidationError,
  commandTypeName,
  type ApplyContext,
  type CommandHandler,
  type CommandNamespaces,
} from './command-handler.js';
import { completeWorkflow } from './complete-workflow.js';
import { continueAsNew } from './continue-as-new.js';
import { failWorkflow } from './fail-workflow.js';
import { modifyWorkflowProperties } from './modify-workflow-properties.js';
import { protocolMessage } from './protocol-message.js';
import { recordMarker } from './record-marker.js';
import { requestCancelActivity } from './request-cancel-activity.js';
import { requestCancelExternal } from './request-cancel-external.js';
import { scheduleActivity } from './schedule-activity.js';
import { signalExternal } from './signal-external.js';
import { startChild } from './start-child.js';
import { startTimer } from './start-timer.js';
import { upsertSearchAttributes } from './upsert-search-attributes.js';

export { CommandValidationError, type CommandNamespaces } from './command-handler.js';

/** The supported command types; any other fails the task with FEATURE_DISABLED (e.g. the Nexus commands). */
const COMMAND_HANDLERS: ReadonlyMap<CommandType, CommandHandler> = new Map([
  [CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK, scheduleActivity],
  [CommandType.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK, requestCancelActivity],
  [CommandType.COMMAND_TYPE_START_TIMER, startTimer],
  [CommandType.COMMAND_TYPE_CANCEL_TIMER, cancelTimer],
  [CommandType.COMMAND_TYPE_RECORD_MARKER, recordMarker],
  [CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflow],
  [CommandType.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION, failWorkflow],
  [CommandType.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION, cancelWorkflow],
  [CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION, continueAsNew],
  [CommandType.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, upsertSearchAttributes],
  [CommandType.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES, modifyWorkflowProperties],
  [CommandType.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION, startChild],
  [CommandType.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION, signalExternal],
  [CommandType.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION, requestCancelExternal],
  [CommandType.COMMAND_TYPE_PROTOCOL_MESSAGE, protocolMessage],
]);

const CLOSE_COMMANDS = new Set([
  CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
]);

export function isCloseCommand(command: Command): boolean {
  return CLOSE_COMMANDS.has(command.commandType);
}

/** The namespace names the commands refer to, to resolve before validation. */
export function commandNamespaceNames(commands: Command[]): string[] {
  const names = commands.map((c) => COMMAND_HANDLERS.get(c.commandType)?.namespaceName?.(c) ?? '');
  return [...new Set(names.filter(Boolean))];
}

/** Returns an InvalidArgument message when the sequence is malformed (nothing is written then). */
export function validateCommandSequence(commands: Command[]): string | undefined {
  for (const [index, command] of commands.entries()) {
    if (!(command.commandType in CommandType) || command.commandType === CommandType.COMMAND_TYPE_UNSPECIFIED) {
      return `unknown command type: ${commandTypeName(command.commandType)}`;
    }
    if (isCloseCommand(command) && index !== commands.length - 1) {
      return (
        'invalid command sequence: [' +
        commands.map((c) => commandTypeName(c.commandType)).join(', ') +
        '], command ' +
        commandTypeName(command.commandType) +
        ' must be the last command.'
      );
    }
  }
  return undefined;
}

/** Checks every command against the state and the commands before it. Throws CommandValidationError. */
export function validateCommands(ms: MutableState, commands: Command[], namespaces: CommandNamespaces): void {
  const ctx = {
    ms,
    namespaces,
    activityIds: new Set(Object.values(ms.state.activities).map((a) => a.activityId)),
    timerIds: new Set(Object.keys(ms.state.timers)),
    firedTimersCanceled: new Set<string>(),
    activityCancels: new Map<number, 'canceled' | 'requested'>(),
    childWorkflowIdsThisTask: new Set<string>(),
  };
  for (const command of commands) {
    const handler = COMMAND_HANDLERS.get(command.commandType);
    if (!handler) {
      throw new CommandValidationError(
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FEATURE_DISABLED,
        `${CommandType[command.commandType]} is not supported by this server yet.`,
      );
    }
    handler.validate(command, ctx);
  }
}

/**
 * Applies validated commands. Results they produce at once (an activity canceled before it started) are buffered;
 * the caller flushes them and schedules the workflow task that sees them.
 */
export function applyCommands(ms: MutableState, commands: Command[], context: Omit<ApplyContext, 'ms'>): void {
  const ctx = { ...context, ms };
  for (const command of commands) {
    if (!ms.isRunning) break; // nothing applies after the run closed
    COMMAND_HANDLERS.get(command.commandType)!.apply(command, ctx);
  }
}

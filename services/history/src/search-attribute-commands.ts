// UpsertWorkflowSearchAttributes and ContinueAsNew commands carry search attributes; they are checked against the
// namespace's registered ones with upstream's messages before any command applies (cause BadSearchAttributes).
import type { NamespaceRegistry } from '@tempora/namespace';
import { CommandType, WorkflowTaskFailedCause } from '@tempora/proto/enums';
import type { Command } from '@tempora/proto/command';
import {
  NamespaceSearchAttributes,
  SearchAttributeValidationError,
  validateSearchAttributes,
} from '@tempora/visibility';
import { CommandValidationError } from './commands/command-handler.js';

function searchAttributesOf(command: Command) {
  switch (command.commandType) {
    case CommandType.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
      return command.upsertWorkflowSearchAttributesCommandAttributes?.searchAttributes;
    case CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION:
      return command.continueAsNewWorkflowExecutionCommandAttributes?.searchAttributes;
    default:
      return undefined;
  }
}

/**
 * The namespace's search attributes, read only when some command carries search attributes. The cached namespace
 * serves unless the commands fail against it: then a fresh read decides, so an attribute added a moment ago in
 * another process never fails a workflow task.
 */
export async function searchAttributesForCommands(
  namespaces: NamespaceRegistry,
  namespaceId: string,
  commands: Command[],
): Promise<NamespaceSearchAttributes | undefined> {
  if (!commands.some((c) => Object.keys(searchAttributesOf(c)?.indexedFields ?? {}).length)) return undefined;
  const cached = await namespaceSearchAttributes(namespaces, namespaceId, false);
  try {
    validateCommandSearchAttributes(commands, cached);
    return cached;
  } catch (err) {
    if (!(err instanceof CommandValidationError)) throw err;
    return namespaceSearchAttributes(namespaces, namespaceId, true);
  }
}

async function namespaceSearchAttributes(namespaces: NamespaceRegistry, namespaceId: string, fresh: boolean) {
  const namespace = await namespaces.getById(namespaceId, { fresh });
  return new NamespaceSearchAttributes(namespace.config?.customSearchAttributeAliases ?? {});
}

export function validateCommandSearchAttributes(
  commands: Command[],
  attributes: NamespaceSearchAttributes | undefined,
): void {
  if (!attributes) return;
  for (const command of commands) {
    try {
      validateSearchAttributes(searchAttributesOf(command), attributes);
    } catch (err) {
      if (!(err instanceof SearchAttributeValidationError)) throw err;
      throw new CommandValidationError(
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES,
        err.message,
      );
    }
  }
}

// UpsertWorkflowSearchAttributes and ContinueAsNew commands carry search attributes; they are checked against the
// namespace's registered ones with upstream's messages before any command applies (cause BadSearchAttributes).
import type { PersistenceStores } from '@tempora/persistence';
import { CommandType } from '@tempora/proto/generated/temporal/api/enums/v1/command_type';
import { WorkflowTaskFailedCause } from '@tempora/proto/generated/temporal/api/enums/v1/failed_cause';
import type { Command } from '@tempora/proto/generated/temporal/api/command/v1/message';
import { NamespaceSearchAttributes, SearchAttributeValidationError, validateSearchAttributes } from '@tempora/visibility';
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

/** The namespace's search attributes, read only when some command carries search attributes. */
export async function searchAttributesForCommands(
  stores: PersistenceStores,
  namespaceId: string,
  commands: Command[],
): Promise<NamespaceSearchAttributes | undefined> {
  if (!commands.some((c) => Object.keys(searchAttributesOf(c)?.indexedFields ?? {}).length)) return undefined;
  const namespace = await stores.namespaces.getNamespaceById(namespaceId);
  return new NamespaceSearchAttributes(namespace?.config?.customSearchAttributeAliases ?? {});
}

export function validateCommandSearchAttributes(commands: Command[], attributes: NamespaceSearchAttributes | undefined): void {
  if (!attributes) return;
  for (const command of commands) {
    try {
      validateSearchAttributes(searchAttributesOf(command), attributes);
    } catch (err) {
      if (!(err instanceof SearchAttributeValidationError)) throw err;
      throw new CommandValidationError(WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES, err.message);
    }
  }
}

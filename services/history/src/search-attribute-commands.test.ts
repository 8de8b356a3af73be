import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { NamespaceRegistry } from '@tempora/namespace';
import { openSqliteStores, type PersistenceStores } from '@tempora/persistence';
import { CommandType } from '@tempora/proto/enums';
import { Command } from '@tempora/proto/command';
import { NamespaceRecord } from '@tempora/proto/persistence';
import { CommandValidationError } from './commands/command-handler.js';
import { searchAttributesForCommands, validateCommandSearchAttributes } from './search-attribute-commands.js';

const namespaceId = 'ns-search-attributes';

function upsert(name: string): Command[] {
  const payload = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"red"') };
  return [
    Command.fromPartial({
      commandType: CommandType.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
      upsertWorkflowSearchAttributesCommandAttributes: { searchAttributes: { indexedFields: { [name]: payload } } },
    }),
  ];
}

describe('searchAttributesForCommands', () => {
  let stores: PersistenceStores;

  beforeEach(async () => {
    stores = openSqliteStores();
    await stores.namespaces.createNamespace(
      NamespaceRecord.fromPartial({ info: { id: namespaceId, name: 'sa' }, config: {} }),
    );
  });
  afterEach(() => stores.close());

  it('reads nothing when no command carries search attributes', async () => {
    const registry = new NamespaceRegistry(stores.namespaces);
    expect(await searchAttributesForCommands(registry, namespaceId, [])).toBeUndefined();
  });

  it('re-reads the namespace when the cached one rejects an attribute another process has just added', async () => {
    const registry = new NamespaceRegistry(stores.namespaces);
    await registry.getById(namespaceId); // cached without Color
    const elsewhere = new NamespaceRegistry(stores.namespaces);
    const current = await elsewhere.getById(namespaceId, { fresh: true });
    await elsewhere.update(
      NamespaceRecord.fromPartial({ ...current, config: { customSearchAttributeAliases: { Keyword01: 'Color' } } }),
      current.configVersion,
    );

    const attributes = await searchAttributesForCommands(registry, namespaceId, upsert('Color'));
    expect(() => validateCommandSearchAttributes(upsert('Color'), attributes)).not.toThrow();
  });

  it('still rejects an attribute the namespace does not have', async () => {
    const registry = new NamespaceRegistry(stores.namespaces);
    const attributes = await searchAttributesForCommands(registry, namespaceId, upsert('Unknown'));
    expect(() => validateCommandSearchAttributes(upsert('Unknown'), attributes)).toThrow(CommandValidationError);
  });
});

// Namespaces live in one partition clustered by name (listing is a slice) plus an id -> name index. Both rows
// are claimed with IF NOT EXISTS; a create that loses the name race releases the id it claimed.
import { NamespaceRecord } from '@tempora/proto/persistence';
import type { NamespaceStore } from '../contract.js';
import { ConditionFailedError, NamespaceAlreadyExistsError, NamespaceNotFoundError } from '../errors.js';
import { decodePageToken, fetchLimit, toPage } from '../paging.js';
import { toBuffer, toNumber, type CqlRow, type CqlSession, type Statement } from './session.js';

interface NamespaceKey {
  id: string;
  name: string;
}

function keyOf(record: NamespaceRecord): NamespaceKey {
  const { id = '', name = '' } = record.info ?? {};
  if (id === '' || name === '') throw new TypeError('a namespace record needs info.id and info.name');
  return { id, name };
}

const decodeRecord = (row: CqlRow): NamespaceRecord => NamespaceRecord.decode(row['record'] as Buffer);

/** Writes the record under its name, if no namespace holds that name yet (create and rename claim it alike). */
function claimName(record: NamespaceRecord): Statement {
  const { id, name } = keyOf(record);
  return {
    query: `INSERT INTO namespaces (partition, name, id, config_version, record)
            VALUES (0, :name, :id, :configVersion, :record) IF NOT EXISTS`,
    params: {
      id,
      name,
      configVersion: record.configVersion,
      record: toBuffer(NamespaceRecord.encode(record).finish()),
    },
  };
}

export function createNamespaceStore(session: CqlSession): NamespaceStore {
  const getByName = (name: string) =>
    session.first('SELECT record FROM namespaces WHERE partition = 0 AND name = :name', { name });

  return {
    async createNamespace(record) {
      const { id, name } = keyOf(record);
      const idClaim = await session.conditional([
        { query: 'INSERT INTO namespaces_by_id (id, name) VALUES (:id, :name) IF NOT EXISTS', params: { id, name } },
      ]);
      if (!idClaim.applied) {
        throw new NamespaceAlreadyExistsError(
          `namespace ${name} (${id}) clashes with existing namespace ${idClaim.rows[0]['name']} (${id})`,
        );
      }
      const nameClaim = await session.conditional([claimName(record)]);
      if (!nameClaim.applied) {
        await session.conditional([
          { query: 'DELETE FROM namespaces_by_id WHERE id = :id IF name = :name', params: { id, name } },
        ]);
        throw new NamespaceAlreadyExistsError(
          `namespace ${name} (${id}) clashes with existing namespace ${name} (${nameClaim.rows[0]['id']})`,
        );
      }
    },

    async getNamespaceByName(name) {
      const row = await getByName(name);
      return row && decodeRecord(row);
    },

    async getNamespaceById(id) {
      const index = await session.first('SELECT name FROM namespaces_by_id WHERE id = :id', { id });
      if (!index) return undefined;
      const row = await getByName(index['name'] as string);
      const record = row && decodeRecord(row);
      // A half-finished create (id claimed, name lost) leaves an index row that points at another namespace.
      return record?.info?.id === id ? record : undefined;
    },

    async updateNamespace(record, expectedConfigVersion) {
      const { id, name } = keyOf(record);
      const { applied, rows } = await session.conditional([
        {
          query: `UPDATE namespaces SET config_version = :configVersion, record = :record
                  WHERE partition = 0 AND name = :name IF id = :id AND config_version = :expectedConfigVersion`,
          params: {
            id,
            name,
            configVersion: record.configVersion,
            record: toBuffer(NamespaceRecord.encode(record).finish()),
            expectedConfigVersion,
          },
        },
      ]);
      if (applied) return;
      const stored = rows[0];
      if (!stored || stored['id'] !== id) throw new NamespaceNotFoundError(`namespace ${name} (${id}) not found`);
      throw new ConditionFailedError(
        `namespace ${name}: expected config_version ${expectedConfigVersion}, found ${toNumber(stored['config_version'])}`,
      );
    },

    async renameNamespace(record, previousName, expectedConfigVersion) {
      const { id, name } = keyOf(record);
      const target = await session.first('SELECT id FROM namespaces WHERE partition = 0 AND name = :name', { name });
      if (target && target['id'] !== id) {
        throw new NamespaceAlreadyExistsError(`namespace name ${name} is taken by namespace ${String(target['id'])}`);
      }
      if (!target) {
        // Both names are rows of the one namespaces partition, so the move is one conditional batch.
        const { applied, rows } = await session.conditional([
          claimName(record),
          {
            query: `DELETE FROM namespaces WHERE partition = 0 AND name = :previousName
                    IF id = :id AND config_version = :expectedConfigVersion`,
            params: { id, previousName, expectedConfigVersion },
          },
        ]);
        if (!applied) {
          const taken = rows.find((row) => row['name'] === name && row['id'] !== undefined && row['id'] !== null);
          if (taken) throw new NamespaceAlreadyExistsError(`namespace name ${name} is taken`);
          const stored = rows.find((row) => row['name'] === previousName);
          if (!stored || stored['id'] !== id) {
            throw new NamespaceNotFoundError(`namespace ${previousName} (${id}) not found`);
          }
          throw new ConditionFailedError(
            `namespace ${previousName}: expected config_version ${expectedConfigVersion}, found ${toNumber(stored['config_version'])}`,
          );
        }
      }
      // The index follows; a rename cut short before this line is finished by the retry (the target row exists).
      await session.execute('UPDATE namespaces_by_id SET name = :name WHERE id = :id', { id, name });
    },

    async listNamespaces(pageSize, pageToken) {
      const [afterName] = decodePageToken<[string]>(pageToken, 1) ?? [''];
      const rows = await session.rows(
        'SELECT name, record FROM namespaces WHERE partition = 0 AND name > :afterName LIMIT :rowLimit',
        { afterName, rowLimit: fetchLimit(pageSize) },
      );
      const page = toPage(rows, pageSize, (row) => [row['name'] as string]);
      return { ...page, items: page.items.map(decodeRecord) };
    },

    async deleteNamespace(id) {
      const index = await session.first('SELECT name FROM namespaces_by_id WHERE id = :id', { id });
      if (!index) return;
      const name = index['name'] as string;
      await session.conditional([
        { query: 'DELETE FROM namespaces WHERE partition = 0 AND name = :name IF id = :id', params: { id, name } },
      ]);
      await session.conditional([{ query: 'DELETE FROM namespaces_by_id WHERE id = :id IF EXISTS', params: { id } }]);
    },
  };
}

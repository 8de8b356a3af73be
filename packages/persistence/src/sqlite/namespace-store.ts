import { NamespaceRecord } from '@tempora/proto/persistence';
import type { NamespaceStore } from '../contract.js';
import { ConditionFailedError, NamespaceAlreadyExistsError, NamespaceNotFoundError } from '../errors.js';
import { immediateTransaction, type SqliteDatabase } from './database.js';
import { decodePageToken, fetchLimit, toPage } from '../paging.js';

interface NamespaceRow {
  id: string;
  name: string;
  configVersion: number;
  record: Uint8Array;
}

/** The indexed columns of a record. Both must be non-empty: '' is the "before every name" page start. */
function toRow(record: NamespaceRecord): NamespaceRow {
  const { id = '', name = '' } = record.info ?? {};
  if (id === '' || name === '') throw new TypeError('a namespace record needs info.id and info.name');
  return { id, name, configVersion: record.configVersion, record: NamespaceRecord.encode(record).finish() };
}

const decodeRecord = (row: Pick<NamespaceRow, 'record'>): NamespaceRecord => NamespaceRecord.decode(row.record);

export function createNamespaceStore(db: SqliteDatabase): NamespaceStore {
  const selectByName = db.prepare<[string], Pick<NamespaceRow, 'record'>>(
    'SELECT record FROM namespaces WHERE name = ?',
  );
  const selectById = db.prepare<[string], Pick<NamespaceRow, 'record'>>('SELECT record FROM namespaces WHERE id = ?');
  const selectClash = db.prepare<NamespaceRow, Pick<NamespaceRow, 'id' | 'name'>>(
    'SELECT id, name FROM namespaces WHERE id = @id OR name = @name LIMIT 1',
  );
  const selectConfigVersion = db.prepare<NamespaceRow, Pick<NamespaceRow, 'configVersion'>>(
    'SELECT config_version AS configVersion FROM namespaces WHERE id = @id AND name = @name',
  );
  const insertRow = db.prepare<NamespaceRow>(
    'INSERT INTO namespaces (id, name, config_version, record) VALUES (@id, @name, @configVersion, @record)',
  );
  const updateRow = db.prepare<NamespaceRow>(
    'UPDATE namespaces SET config_version = @configVersion, record = @record WHERE id = @id',
  );
  const selectIdByName = db.prepare<[string], Pick<NamespaceRow, 'id' | 'configVersion'>>(
    'SELECT id, config_version AS configVersion FROM namespaces WHERE name = ?',
  );
  const renameRow = db.prepare<NamespaceRow>(
    'UPDATE namespaces SET name = @name, config_version = @configVersion, record = @record WHERE id = @id',
  );
  const selectPage = db.prepare<[string, number], Pick<NamespaceRow, 'name' | 'record'>>(
    'SELECT name, record FROM namespaces WHERE name > ? ORDER BY name LIMIT ?',
  );
  const deleteRow = db.prepare<[string]>('DELETE FROM namespaces WHERE id = ?');

  const create = immediateTransaction(db, (row: NamespaceRow) => {
    const clash = selectClash.get(row);
    if (clash) {
      throw new NamespaceAlreadyExistsError(
        `namespace ${row.name} (${row.id}) clashes with existing namespace ${clash.name} (${clash.id})`,
      );
    }
    insertRow.run(row);
  });

  const update = immediateTransaction(db, (row: NamespaceRow, expectedConfigVersion: number) => {
    const stored = selectConfigVersion.get(row);
    if (!stored) throw new NamespaceNotFoundError(`namespace ${row.name} (${row.id}) not found`);
    if (stored.configVersion !== expectedConfigVersion) {
      throw new ConditionFailedError(
        `namespace ${row.name}: expected config_version ${expectedConfigVersion}, found ${stored.configVersion}`,
      );
    }
    updateRow.run(row);
  });

  const rename = immediateTransaction(db, (row: NamespaceRow, previousName: string, expectedConfigVersion: number) => {
    const target = selectIdByName.get(row.name);
    if (target && target.id !== row.id) {
      throw new NamespaceAlreadyExistsError(`namespace name ${row.name} is taken by namespace ${target.id}`);
    }
    const stored = selectIdByName.get(previousName);
    if (!stored || stored.id !== row.id) {
      if (target) return; // renamed before
      throw new NamespaceNotFoundError(`namespace ${previousName} (${row.id}) not found`);
    }
    if (stored.configVersion !== expectedConfigVersion) {
      throw new ConditionFailedError(
        `namespace ${previousName}: expected config_version ${expectedConfigVersion}, found ${stored.configVersion}`,
      );
    }
    renameRow.run(row);
  });

  return {
    async createNamespace(record) {
      create(toRow(record));
    },
    async getNamespaceByName(name) {
      const row = selectByName.get(name);
      return row && decodeRecord(row);
    },
    async getNamespaceById(id) {
      const row = selectById.get(id);
      return row && decodeRecord(row);
    },
    async updateNamespace(record, expectedConfigVersion) {
      update(toRow(record), expectedConfigVersion);
    },
    async renameNamespace(record, previousName, expectedConfigVersion) {
      rename(toRow(record), previousName, expectedConfigVersion);
    },
    async listNamespaces(pageSize, pageToken) {
      const [afterName] = decodePageToken<[string]>(pageToken, 1) ?? [''];
      const page = toPage(selectPage.all(afterName, fetchLimit(pageSize)), pageSize, (row) => [row.name]);
      return { ...page, items: page.items.map(decodeRecord) };
    },
    async deleteNamespace(id) {
      deleteRow.run(id);
    },
  };
}

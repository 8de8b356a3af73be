import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { NamespaceRecord } from '@tempora/proto/persistence';
import { describePersistenceContract, describeSharedStoreContract } from '../contract/index.js';
import { PersistenceError } from '../errors.js';
import { openSqliteStores } from './index.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.js';

describePersistenceContract('sqlite (memory)', async () => openSqliteStores());

describe('sqlite file', () => {
  let dir: string;
  let fileCount = 0;
  /** A fresh database file for one test. */
  const newFile = () => join(dir, `test-${++fileCount}.db`);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tempora-sqlite-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  // One file shared by every contract test, the way a persistent backend is shared.
  describePersistenceContract('sqlite (file)', async () => openSqliteStores({ file: join(dir, 'contract.db') }));

  it('keeps data across close and reopen', async () => {
    const file = newFile();
    const record = NamespaceRecord.fromPartial({ info: { id: randomUUID(), name: 'durable' }, configVersion: 1 });
    const writer = openSqliteStores({ file });
    await writer.namespaces.createNamespace(record);
    await writer.close();

    const reader = openSqliteStores({ file });
    try {
      expect(await reader.namespaces.getNamespaceByName('durable')).toEqual(record);
    } finally {
      await reader.close();
    }
  });

  it('opens in WAL mode and applies each migration once, however often it is reopened', async () => {
    const file = newFile();
    for (let open = 0; open < 3; open++) await openSqliteStores({ file }).close();

    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare('SELECT version FROM schema_version ORDER BY version').pluck().all()).toEqual(
        MIGRATIONS.map((migration) => migration.version),
      );
    } finally {
      db.close();
    }
  });

  it('refuses a file migrated by a newer build', async () => {
    const file = newFile();
    await openSqliteStores({ file }).close();
    const db = new Database(file);
    db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)').run(
      LATEST_SCHEMA_VERSION + 1,
      'from the future',
      Date.now(),
    );
    db.close();

    expect(() => openSqliteStores({ file })).toThrow(PersistenceError);
  });

  describeSharedStoreContract('sqlite (file)', async () => openSqliteStores({ file: join(dir, 'shared.db') }));
});

describe('sqlite stores', () => {
  it('close is idempotent', async () => {
    const stores = openSqliteStores();
    await stores.close();
    await expect(stores.close()).resolves.toBeUndefined();
  });

  it('rejects a page size below 1', async () => {
    const stores = openSqliteStores();
    try {
      await expect(stores.namespaces.listNamespaces(0, undefined)).rejects.toBeInstanceOf(RangeError);
    } finally {
      await stores.close();
    }
  });
});

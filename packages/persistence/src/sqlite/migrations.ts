import { PersistenceError } from '../errors.js';
import type { SqliteDatabase } from './database.js';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/**
 * Applied in order, each exactly once; never edit a released migration, append a new one. Records live in
 * protobuf blobs beside the columns used for lookups and conditions, so most record changes need no migration.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'initial schema',
    sql: `
      CREATE TABLE cluster_metadata (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 0),
        record BLOB NOT NULL
      );

      CREATE TABLE namespaces (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        config_version INTEGER NOT NULL,
        record BLOB NOT NULL
      );

      CREATE TABLE shards (
        shard_id INTEGER PRIMARY KEY,
        range_id INTEGER NOT NULL,
        record BLOB NOT NULL
      );

      CREATE TABLE executions (
        shard_id INTEGER NOT NULL,
        namespace_id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        db_record_version INTEGER NOT NULL,
        next_event_id INTEGER NOT NULL,
        state BLOB NOT NULL,
        PRIMARY KEY (shard_id, namespace_id, workflow_id, run_id)
      );

      CREATE TABLE current_executions (
        shard_id INTEGER NOT NULL,
        namespace_id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        create_request_id TEXT NOT NULL,
        state INTEGER NOT NULL,
        status INTEGER NOT NULL,
        start_time INTEGER NOT NULL,
        last_write_version INTEGER NOT NULL,
        PRIMARY KEY (shard_id, namespace_id, workflow_id)
      );

      -- Immediate categories are stored at fire_time 0, so one key serves both read orders.
      CREATE TABLE history_tasks (
        shard_id INTEGER NOT NULL,
        category TEXT NOT NULL,
        fire_time INTEGER NOT NULL,
        task_id INTEGER NOT NULL,
        namespace_id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (shard_id, category, fire_time, task_id)
      );

      CREATE TABLE history_nodes (
        shard_id INTEGER NOT NULL,
        branch_token TEXT NOT NULL,
        node_id INTEGER NOT NULL,
        txn_id INTEGER NOT NULL,
        events BLOB NOT NULL,
        PRIMARY KEY (shard_id, branch_token, node_id, txn_id)
      );

      CREATE TABLE task_queues (
        namespace_id TEXT NOT NULL,
        name TEXT NOT NULL,
        task_type INTEGER NOT NULL,
        range_id INTEGER NOT NULL,
        ack_level INTEGER NOT NULL,
        expiry_time INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (namespace_id, name, task_type)
      );

      CREATE TABLE task_queue_tasks (
        namespace_id TEXT NOT NULL,
        name TEXT NOT NULL,
        task_type INTEGER NOT NULL,
        task_id INTEGER NOT NULL,
        expiry_time INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (namespace_id, name, task_type, task_id)
      );
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/**
 * Brings the schema up to LATEST_SCHEMA_VERSION. Runs under BEGIN IMMEDIATE so that processes opening the same
 * file at once apply each migration only once: the second one waits, then sees the new version.
 */
export function applyMigrations(db: SqliteDatabase): void {
  db.transaction(() => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS schema_version (
        version INTEGER PRIMARY KEY,
        description TEXT NOT NULL,
        applied_at INTEGER NOT NULL
      )
    `);
    const selectAppliedVersion = db.prepare<[], { version: number | null }>(
      'SELECT MAX(version) AS version FROM schema_version',
    );
    const appliedVersion = selectAppliedVersion.get()?.version ?? 0;
    if (appliedVersion > LATEST_SCHEMA_VERSION) {
      throw new PersistenceError(
        `database schema version ${appliedVersion} is newer than this build supports (${LATEST_SCHEMA_VERSION})`,
      );
    }
    const recordVersion = db.prepare<[number, string, number]>(
      'INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)',
    );
    for (const migration of MIGRATIONS.filter((m) => m.version > appliedVersion)) {
      db.exec(migration.sql);
      recordVersion.run(migration.version, migration.description, Date.now());
    }
  }).immediate();
}

// The embedded store: one SQLite file (or memory) per cluster. better-sqlite3 is synchronous, so every method
// finishes its work before its promise settles and there is never a write in flight at close().
import type { PersistenceStores } from '../contract.js';
import { createClusterMetadataStore } from './cluster-metadata-store.js';
import { openDatabase } from './database.js';
import { createExecutionStore } from './execution-store.js';
import { createHistoryStore } from './history-store.js';
import { createNamespaceStore } from './namespace-store.js';
import { createShardStore } from './shard-store.js';
import { createTaskQueueStore } from './task-queue-store.js';

export interface SqliteOptions {
  /** Database file, shareable by several processes; omitted = a private in-memory database. */
  file?: string;
}

export function openSqliteStores(options: SqliteOptions = {}): PersistenceStores {
  const db = openDatabase(options.file ?? ':memory:');
  return {
    clusterMetadata: createClusterMetadataStore(db),
    namespaces: createNamespaceStore(db),
    shards: createShardStore(db),
    executions: createExecutionStore(db),
    history: createHistoryStore(db),
    taskQueues: createTaskQueueStore(db),
    async close() {
      if (db.open) db.close();
    },
  };
}

import type * as CassandraStore from './cassandra/index.js';

export * from './contract.js';
export * from './errors.js';
/** For views in front of a store (history's node cache) that answer a page the way the store would. */
export { toPage } from './paging.js';
export { openSqliteStores, type SqliteOptions } from './sqlite/index.js';
export { cassandraClientOptions } from './cassandra/client-options.js';
export { LATEST_CASSANDRA_SCHEMA_VERSION } from './cassandra/schema.js';
export type { CassandraOptions, KeyspaceReplication, OpenCassandraOptions } from './cassandra/index.js';

// The Cassandra driver (about a hundred modules) is loaded on first use, not by every process that imports this
// package: start-dev on SQLite never needs it.
type CassandraModule = typeof CassandraStore;
const cassandra = (): Promise<CassandraModule> => import('./cassandra/index.js');

export const openCassandraStores: CassandraModule['openCassandraStores'] = async (options) =>
  (await cassandra()).openCassandraStores(options);
export const setupCassandraSchema: CassandraModule['setupCassandraSchema'] = async (options, replication) =>
  (await cassandra()).setupCassandraSchema(options, replication);
export const updateCassandraSchema: CassandraModule['updateCassandraSchema'] = async (options) =>
  (await cassandra()).updateCassandraSchema(options);
export const dropCassandraKeyspace: CassandraModule['dropCassandraKeyspace'] = async (options) =>
  (await cassandra()).dropCassandraKeyspace(options);
export { rateLimitStores, storeMethodNames, type StoreRateLimit } from './rate-limit.js';

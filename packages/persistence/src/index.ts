export * from './contract.js';
export * from './errors.js';
export { openSqliteStores, type SqliteOptions } from './sqlite/index.js';
export {
  cassandraClientOptions,
  dropCassandraKeyspace,
  openCassandraStores,
  setupCassandraSchema,
  updateCassandraSchema,
  LATEST_CASSANDRA_SCHEMA_VERSION,
  type CassandraOptions,
  type KeyspaceReplication,
  type OpenCassandraOptions,
} from './cassandra/index.js';
export { rateLimitStores, storeMethodNames, type StoreRateLimit } from './rate-limit.js';

// The Cassandra store: one driver client per process, shared by every store. The keyspace's schema is created
// and migrated by the schema tool (`tempora schema cassandra setup|update`); opening checks it matches this build.
import cassandra from 'cassandra-driver';
import type { PersistenceStores } from '../contract.js';
import { PersistenceError } from '../errors.js';
import { createClusterMetadataStore } from './cluster-metadata-store.js';
import { createExecutionStore } from './execution-store.js';
import { createHistoryStore } from './history-store.js';
import { createNamespaceStore } from './namespace-store.js';
import {
  applyCassandraMigrations,
  checkCassandraSchema,
  createKeyspace,
  validateKeyspaceName,
  type KeyspaceReplication,
} from './schema.js';
import { cassandraClientOptions } from './client-options.js';
import { CqlSession, type CassandraOptions, type CqlClient } from './session.js';
import { createShardStore } from './shard-store.js';
import { createTaskQueueStore } from './task-queue-store.js';

export type { CassandraOptions } from './session.js';
export type { KeyspaceReplication } from './schema.js';
export { LATEST_CASSANDRA_SCHEMA_VERSION } from './schema.js';

export interface OpenCassandraOptions extends CassandraOptions {
  /** Create the keyspace (with this replication) and apply pending migrations before opening, as start-dev does. */
  setupSchema?: KeyspaceReplication;
}

/** Connects a client, bound to the keyspace unless `withKeyspace` is false (the keyspace may not exist yet). */
async function connect(options: CassandraOptions, withKeyspace: boolean): Promise<CqlClient> {
  const client = new cassandra.Client(cassandraClientOptions(options, withKeyspace));
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.shutdown();
    throw connectError(options, withKeyspace, error as Error);
  }
}

/** A connect failure an operator can act on, with the driver's error as the cause. */
function connectError(options: CassandraOptions, withKeyspace: boolean, error: Error): Error {
  if (withKeyspace && /keyspace .* does not exist/i.test(error.message)) {
    return new PersistenceError(`keyspace ${options.keyspace} does not exist: run \`tempora schema cassandra setup\``, {
      cause: error,
    });
  }
  if (error instanceof cassandra.errors.NoHostAvailableError) {
    return new PersistenceError(`cannot reach Cassandra at ${options.contactPoints.join(',')}: ${error.message}`, {
      cause: error,
    });
  }
  return error;
}

async function withClient<T>(options: CassandraOptions, withKeyspace: boolean, use: (client: CqlClient) => Promise<T>) {
  const client = await connect(options, withKeyspace);
  try {
    return await use(client);
  } finally {
    await client.shutdown();
  }
}

/** `tempora schema cassandra setup`: creates the keyspace when absent, then applies pending migrations. */
export async function setupCassandraSchema(options: CassandraOptions, replication: KeyspaceReplication) {
  await withClient(options, false, (client) => createKeyspace(client, options.keyspace, replication));
  return updateCassandraSchema(options);
}

/** `tempora schema cassandra update`: applies pending migrations; returns the versions applied. */
export function updateCassandraSchema(options: CassandraOptions): Promise<number[]> {
  return withClient(options, true, applyCassandraMigrations);
}

/** Drops the keyspace and everything in it (tests use a keyspace per file). */
export async function dropCassandraKeyspace(options: CassandraOptions): Promise<void> {
  await withClient(options, false, (client) =>
    client.execute(`DROP KEYSPACE IF EXISTS ${validateKeyspaceName(options.keyspace)}`),
  );
}

export async function openCassandraStores(options: OpenCassandraOptions): Promise<PersistenceStores> {
  if (options.setupSchema) await setupCassandraSchema(options, options.setupSchema);
  const client = await connect(options, true);
  let session: CqlSession;
  try {
    await checkCassandraSchema(client);
    session = new CqlSession(client, options);
  } catch (error) {
    await client.shutdown();
    throw error;
  }
  return {
    clusterMetadata: createClusterMetadataStore(session),
    namespaces: createNamespaceStore(session),
    shards: createShardStore(session),
    executions: createExecutionStore(session),
    history: createHistoryStore(session),
    taskQueues: createTaskQueueStore(session),
    close: () => session.close(),
  };
}

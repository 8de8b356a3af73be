// The keyspace's schema as versioned migrations, applied by `tempora schema cassandra setup|update` (and by
// start-dev on its own). Applied versions are recorded in schema_version; a store refuses to open a keyspace
// whose schema is behind or ahead of this build.
import { PersistenceError } from '../errors.js';
import type { CqlClient } from './session.js';

export interface CassandraMigration {
  version: number;
  description: string;
  /** CQL statements, each idempotent (IF NOT EXISTS), so a migration interrupted half-way can be re-run. */
  statements: string[];
}

/** Row kinds of the executions table; one partition per shard holds them all, so one LWT batch can touch them. */
export const ShardRowType = {
  Shard: 0,
  Execution: 1,
  CurrentExecution: 2,
  TransferTask: 3,
  TimerTask: 4,
  VisibilityTask: 5,
  RetentionTask: 6,
} as const;

/** Row kinds of the task_queues table: the queue's lease row and its tasks share the queue's partition. */
export const TaskQueueRowType = { Queue: 0, Task: 1 } as const;

/** Never edit a released migration; append a new one. */
export const CASSANDRA_MIGRATIONS: readonly CassandraMigration[] = [
  {
    version: 1,
    description: 'initial schema',
    statements: [
      `CREATE TABLE IF NOT EXISTS cluster_metadata (
         partition int PRIMARY KEY,
         record blob
       )`,
      // One partition, clustered by name: listing in name order is a slice.
      `CREATE TABLE IF NOT EXISTS namespaces (
         partition int,
         name text,
         id text,
         config_version bigint,
         record blob,
         PRIMARY KEY (partition, name)
       )`,
      `CREATE TABLE IF NOT EXISTS namespaces_by_id (
         id text PRIMARY KEY,
         name text
       )`,
      // Per shard: the shard row, executions, current-execution pointers and the shard's history tasks. Unused
      // key columns hold '' or 0 (the shard row is all zeros; a current row has run_id '' and names its run in
      // current_run_id; a task row keeps its run in task_* columns so tasks cluster by (fire_time, task_id)).
      `CREATE TABLE IF NOT EXISTS executions (
         shard_id int,
         row_type tinyint,
         namespace_id text,
         workflow_id text,
         run_id text,
         fire_time bigint,
         task_id bigint,
         range_id bigint,
         shard blob,
         db_record_version bigint,
         next_event_id bigint,
         state blob,
         current_run_id text,
         create_request_id text,
         execution_state int,
         status int,
         start_time bigint,
         last_write_version bigint,
         task_namespace_id text,
         task_workflow_id text,
         task_run_id text,
         data blob,
         PRIMARY KEY (shard_id, row_type, namespace_id, workflow_id, run_id, fire_time, task_id)
       ) WITH compaction = {'class': 'LeveledCompactionStrategy'}`,
      // Newest txn first within a node, so the first row of each node is the batch that counts.
      `CREATE TABLE IF NOT EXISTS history_node (
         shard_id int,
         branch_token text,
         node_id bigint,
         txn_id bigint,
         events blob,
         PRIMARY KEY ((shard_id, branch_token), node_id, txn_id)
       ) WITH CLUSTERING ORDER BY (node_id ASC, txn_id DESC)`,
      `CREATE TABLE IF NOT EXISTS task_queues (
         namespace_id text,
         name text,
         task_type int,
         row_type tinyint,
         task_id bigint,
         range_id bigint,
         ack_level bigint,
         expiry_time bigint,
         data blob,
         PRIMARY KEY ((namespace_id, name, task_type), row_type, task_id)
       ) WITH compaction = {'class': 'LeveledCompactionStrategy'}`,
    ],
  },
];

export const LATEST_CASSANDRA_SCHEMA_VERSION = CASSANDRA_MIGRATIONS[CASSANDRA_MIGRATIONS.length - 1].version;

const KEYSPACE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,47}$/;

export function validateKeyspaceName(keyspace: string): string {
  if (!KEYSPACE_NAME.test(keyspace)) {
    throw new PersistenceError(
      `persistence.cassandra.keyspace: ${JSON.stringify(keyspace)} is not a valid keyspace name ` +
        '(a letter, then up to 47 letters, digits or underscores)',
    );
  }
  return keyspace;
}

export interface KeyspaceReplication {
  /** Copies of each row; 1 for a single node. */
  replicationFactor: number;
  /** With a datacenter name the keyspace uses NetworkTopologyStrategy in it, else SimpleStrategy. */
  datacenter?: string;
}

function replicationMap({ replicationFactor, datacenter }: KeyspaceReplication): string {
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
    throw new PersistenceError(`replication factor must be a positive integer, got ${replicationFactor}`);
  }
  if (datacenter === undefined || datacenter === '') {
    return `{'class': 'SimpleStrategy', 'replication_factor': ${replicationFactor}}`;
  }
  if (!/^[\w.-]+$/.test(datacenter))
    throw new PersistenceError(`invalid datacenter name ${JSON.stringify(datacenter)}`);
  return `{'class': 'NetworkTopologyStrategy', '${datacenter}': ${replicationFactor}}`;
}

/** Creates the keyspace when absent. `client` must not be bound to a keyspace (it may not exist yet). */
export async function createKeyspace(client: CqlClient, keyspace: string, replication: KeyspaceReplication) {
  await client.execute(
    `CREATE KEYSPACE IF NOT EXISTS ${validateKeyspaceName(keyspace)} WITH replication = ${replicationMap(replication)}`,
  );
}

const SCHEMA_VERSION_TABLE = `CREATE TABLE IF NOT EXISTS schema_version (
  partition int,
  version int,
  description text,
  applied_at timestamp,
  PRIMARY KEY (partition, version)
)`;

/** The highest applied migration, 0 when none (or no schema_version table). `client` is bound to the keyspace. */
export async function appliedSchemaVersion(client: CqlClient): Promise<number> {
  const keyspace = client.keyspace;
  const table = await client.execute(
    'SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?',
    [keyspace, 'schema_version'],
  );
  if (table.rowLength === 0) return 0;
  const result = await client.execute('SELECT MAX(version) AS version FROM schema_version WHERE partition = 0');
  return (result.first()?.['version'] as number | null) ?? 0;
}

/**
 * Applies the migrations this keyspace lacks, in order, and returns the versions applied. Idempotent: running it
 * again (or concurrently) re-runs only IF NOT EXISTS statements. `client` is bound to the keyspace.
 */
export async function applyCassandraMigrations(client: CqlClient): Promise<number[]> {
  await client.execute(SCHEMA_VERSION_TABLE);
  const applied = await appliedSchemaVersion(client);
  if (applied > LATEST_CASSANDRA_SCHEMA_VERSION) throw newerSchemaError(client.keyspace, applied);
  const pending = CASSANDRA_MIGRATIONS.filter((migration) => migration.version > applied);
  for (const migration of pending) {
    for (const statement of migration.statements) await client.execute(statement);
    await client.execute(
      'INSERT INTO schema_version (partition, version, description, applied_at) VALUES (0, ?, ?, ?)',
      [migration.version, migration.description, new Date()],
      { prepare: true },
    );
  }
  return pending.map((migration) => migration.version);
}

/** Throws unless the keyspace holds exactly this build's schema version. */
export async function checkCassandraSchema(client: CqlClient): Promise<void> {
  const applied = await appliedSchemaVersion(client);
  if (applied > LATEST_CASSANDRA_SCHEMA_VERSION) throw newerSchemaError(client.keyspace, applied);
  if (applied < LATEST_CASSANDRA_SCHEMA_VERSION) {
    throw new PersistenceError(
      `keyspace ${client.keyspace} is at schema version ${applied}, this build needs ` +
        `${LATEST_CASSANDRA_SCHEMA_VERSION}: run \`tempora schema cassandra ${applied === 0 ? 'setup' : 'update'}\``,
    );
  }
}

function newerSchemaError(keyspace: string, applied: number): PersistenceError {
  return new PersistenceError(
    `keyspace ${keyspace} is at schema version ${applied}, newer than this build supports ` +
      `(${LATEST_CASSANDRA_SCHEMA_VERSION})`,
  );
}

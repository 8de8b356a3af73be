import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import cassandra from 'cassandra-driver';
import { ClusterMetadataRecord } from '@tempora/proto/persistence';
import { describePersistenceContract, describeSharedStoreContract } from '../contract/index.js';
import { ConditionFailedError, PersistenceError } from '../errors.js';
import { dropCassandraKeyspace, openCassandraStores, setupCassandraSchema, updateCassandraSchema } from './index.js';
import { CASSANDRA_MIGRATIONS, LATEST_CASSANDRA_SCHEMA_VERSION } from './schema.js';
import { createExecutionStore } from './execution-store.js';
import { CqlSession, parseConsistency } from './session.js';
import { cassandraForTests, uniqueTestKeyspace } from './testing.js';

const SINGLE_NODE = { replicationFactor: 1 };
const optionsFor = await cassandraForTests('cassandra store');

describe('cassandra consistency levels', () => {
  it('maps CQL names to driver codes and rejects unknown or misplaced levels', () => {
    expect(parseConsistency('LOCAL_QUORUM', 'consistency')).toBe(cassandra.types.consistencies.localQuorum);
    expect(parseConsistency('one', 'consistency')).toBe(cassandra.types.consistencies.one);
    expect(parseConsistency('SERIAL', 'serialConsistency')).toBe(cassandra.types.consistencies.serial);
    expect(() => parseConsistency('LOCAL_SERIAL', 'consistency')).toThrow(/persistence.cassandra.consistency/);
    expect(() => parseConsistency('QUORUM', 'serialConsistency')).toThrow(/SERIAL or LOCAL_SERIAL/);
    expect(() => parseConsistency('MOSTLY', 'consistency')).toThrow(PersistenceError);
  });
});

if (optionsFor) {
  describe('cassandra store', () => {
    const keyspace = uniqueTestKeyspace('contract');
    const options = optionsFor(keyspace);

    beforeAll(async () => {
      await setupCassandraSchema(options, SINGLE_NODE);
    });

    afterAll(async () => {
      await dropCassandraKeyspace(options);
    });

    describePersistenceContract('cassandra', () => openCassandraStores(options));

    describeSharedStoreContract('cassandra', () => openCassandraStores(options));

    it('purges a shard from a host whose clock runs ahead without hiding the rows imported after it', async () => {
      // Client-side timestamps 10 s ahead, as on a host with a skewed clock: a plain range delete from it would
      // shadow every LWT write of the next 10 s (LWTs take their timestamps from Cassandra's Paxos ballot).
      const ahead = new (class extends cassandra.policies.timestampGeneration.MonotonicTimestampGenerator {
        override getDate() {
          return Date.now() + 10_000;
        }
      })(1_000, 60_000);
      const skewedClient = new cassandra.Client({ ...options, policies: { timestampGeneration: ahead } });
      await skewedClient.connect();
      const skewed = new CqlSession(skewedClient, {});
      const stores = await openCassandraStores(options);
      try {
        const shardId = 1_000 + Math.floor(Math.random() * 1_000_000);
        await stores.shards.updateShard({ ...(await stores.shards.getOrCreateShard(shardId)), rangeId: 1 }, 0);
        const run = (workflowId: string) => ({
          namespaceId: 'ns',
          workflowId,
          runId: `run-${workflowId}`,
          state: new Uint8Array([1]),
          nextEventId: 3,
          dbRecordVersion: 1,
        });
        const importRun = (workflowId: string) =>
          stores.executions.importExecutions({
            shardId,
            rangeId: 1,
            executions: [run(workflowId)],
            currentRows: [],
            tasks: [],
          });
        await importRun('before');

        await createExecutionStore(skewed).purgeShard(shardId, 1);
        await importRun('after');

        const listed = await stores.executions.listWorkflowExecutions(shardId, 10, undefined);
        expect(listed.items).toEqual([run('after')]);
      } finally {
        await stores.close();
        await skewed.close();
      }
    });

    it('stores an expiring task with a TTL and one that never expires without, through one prepared insert', async () => {
      const stores = await openCassandraStores(options);
      const client = new cassandra.Client({ ...options });
      await client.connect();
      try {
        const key = { namespaceId: 'ns', name: `ttl-${Math.random()}`, taskType: 1 };
        const { rangeId } = await stores.taskQueues.getOrCreateTaskQueue(key);
        const data = Buffer.from('task');
        await stores.taskQueues.createTasks(key, rangeId, [
          { taskId: 1, expiryTime: Date.now() + 90_000, data },
          { taskId: 2, expiryTime: 0, data },
        ]);
        await stores.taskQueues.createTasks(key, rangeId, [{ taskId: 3, expiryTime: Date.now() + 30_000, data }]);
        const ttls = await client.execute(
          'SELECT task_id, TTL(data) AS ttl FROM task_queues WHERE namespace_id = ? AND name = ? AND task_type = ? AND row_type = 1',
          [key.namespaceId, key.name, key.taskType],
          { prepare: true },
        );
        const byTask = new Map(ttls.rows.map((row) => [Number(row['task_id']), row['ttl'] as number | null]));
        expect(byTask.get(1)).toBeGreaterThan(80);
        expect(byTask.get(1)).toBeLessThanOrEqual(90);
        expect(byTask.get(2)).toBeNull();
        expect(byTask.get(3)).toBeGreaterThan(20);
        expect(byTask.get(3)).toBeLessThanOrEqual(30);
        const prepared = await client.execute(
          'SELECT query_string FROM system.prepared_statements WHERE logged_keyspace = ? ALLOW FILTERING',
          [keyspace],
        );
        const taskInserts = prepared.rows.filter((row) =>
          /task_id, expiry_time, data\)/.test(row['query_string'] as string),
        );
        expect(taskInserts).toHaveLength(1);
      } finally {
        await client.shutdown();
        await stores.close();
      }
    });

    it('close waits for in-flight statements, then refuses new ones; a second close is a no-op', async () => {
      const stores = await openCassandraStores(options);
      const pending = stores.namespaces.getNamespaceByName('absent');
      await stores.close();
      await expect(pending).resolves.toBeUndefined();
      await expect(stores.namespaces.getNamespaceByName('absent')).rejects.toThrow(/closed/);
      await expect(stores.close()).resolves.toBeUndefined();
    });
  });

  describe('cassandra schema tool', () => {
    const keyspace = uniqueTestKeyspace('schema');
    const options = optionsFor(keyspace);

    afterAll(async () => {
      await dropCassandraKeyspace(options);
    });

    it('refuses to open a keyspace that was never set up, naming the command to run', async () => {
      await expect(openCassandraStores(options)).rejects.toThrow(
        /keyspace schema_\w+ does not exist: run `tempora schema cassandra setup`/,
      );
    });

    it('sets up the keyspace once, records every migration, and is idempotent', async () => {
      expect(await setupCassandraSchema(options, SINGLE_NODE)).toEqual(CASSANDRA_MIGRATIONS.map((m) => m.version));
      expect(await setupCassandraSchema(options, SINGLE_NODE)).toEqual([]);
      expect(await updateCassandraSchema(options)).toEqual([]);

      const client = new cassandra.Client({ ...options });
      try {
        const versions = await client.execute('SELECT version FROM schema_version WHERE partition = 0');
        expect(versions.rows.map((row): unknown => row['version'])).toEqual(CASSANDRA_MIGRATIONS.map((m) => m.version));
      } finally {
        await client.shutdown();
      }
      const stores = await openCassandraStores(options);
      try {
        // The contract's in-memory SQLite run covers this case for SQLite; a fresh keyspace is Cassandra's.
        expect(await stores.clusterMetadata.getClusterMetadata()).toBeUndefined();
        await expect(
          stores.clusterMetadata.updateClusterMetadata(ClusterMetadataRecord.fromPartial({ version: 1 }), 0),
        ).rejects.toBeInstanceOf(ConditionFailedError);
        expect(await stores.clusterMetadata.getClusterMetadata()).toBeUndefined();
      } finally {
        await stores.close();
      }
    });

    it('refuses a keyspace migrated by a newer build', async () => {
      const client = new cassandra.Client({ ...options });
      try {
        await client.execute(
          'INSERT INTO schema_version (partition, version, description, applied_at) VALUES (0, ?, ?, ?)',
          [LATEST_CASSANDRA_SCHEMA_VERSION + 1, 'from the future', new Date()],
          { prepare: true },
        );
        await expect(openCassandraStores(options)).rejects.toThrow(/newer than this build/);
        await expect(updateCassandraSchema(options)).rejects.toThrow(/newer than this build/);
      } finally {
        await client.execute(
          'DELETE FROM schema_version WHERE partition = 0 AND version = ?',
          [LATEST_CASSANDRA_SCHEMA_VERSION + 1],
          { prepare: true },
        );
        await client.shutdown();
      }
    });

    it('rejects an invalid keyspace name and replication factor before touching Cassandra', async () => {
      await expect(openCassandraStores(optionsFor('bad-name;'))).rejects.toThrow(/not a valid keyspace name/);
      await expect(setupCassandraSchema(optionsFor(uniqueTestKeyspace('x')), { replicationFactor: 0 })).rejects.toThrow(
        /replication factor/,
      );
    });
  });
}

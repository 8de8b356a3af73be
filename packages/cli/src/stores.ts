import { randomBytes, randomUUID } from 'node:crypto';
import { SERVER_VERSION, storeTlsOptions, type TemporaConfig } from '@tempora/common';
import {
  openCassandraStores,
  openSqliteStores,
  type CassandraOptions,
  type KeyspaceReplication,
  type PersistenceStores,
} from '@tempora/persistence';
import { ClusterMetadataRecord } from '@tempora/proto/persistence';
import { openElasticsearchVisibilityStore, openSqliteVisibilityStore, type VisibilityStore } from '@tempora/visibility';

export interface OpenStoresOptions {
  /** Cassandra only: create the keyspace and apply pending migrations first (start-dev), else require them done. */
  setupCassandraSchema?: KeyspaceReplication;
}

export function cassandraOptions(config: TemporaConfig): CassandraOptions {
  const { tls, ...cassandra } = config.persistence.cassandra;
  return { ...cassandra, tls: storeTlsOptions(tls, 'persistence.cassandra.tls') };
}

/** The Elasticsearch index and how to reach it. */
export function elasticsearchTarget(config: TemporaConfig) {
  const { url, index, tls } = config.visibility.elasticsearch;
  return { url, index, tls: storeTlsOptions(tls, 'visibility.elasticsearch.tls') };
}

export async function openStores(config: TemporaConfig, options: OpenStoresOptions = {}): Promise<PersistenceStores> {
  switch (config.persistence.driver) {
    case 'sqlite':
      return openSqliteStores({ file: config.persistence.sqlite.file || undefined });
    case 'cassandra':
      return openCassandraStores({ ...cassandraOptions(config), setupSchema: options.setupCassandraSchema });
  }
}

/** The visibility store: SQLite shares the persistence file (or is in memory with it); Elasticsearch is one index. */
export async function openVisibility(config: TemporaConfig): Promise<VisibilityStore> {
  switch (config.visibility.driver) {
    case 'sqlite':
      return openSqliteVisibilityStore({ file: sqliteVisibilityFile(config) });
    case 'elasticsearch':
      return openElasticsearchVisibilityStore(elasticsearchTarget(config));
  }
}

/** The visibility table's SQLite file: its own, else the persistence file when that is SQLite, else in memory. */
function sqliteVisibilityFile(config: TemporaConfig): string | undefined {
  if (config.visibility.sqlite.file) return config.visibility.sqlite.file;
  return config.persistence.driver === 'sqlite' ? config.persistence.sqlite.file || undefined : undefined;
}

/** Fixes the cluster's identity and shard count at its first start; later starts read them back. */
export function initializeCluster(stores: PersistenceStores, config: TemporaConfig): Promise<ClusterMetadataRecord> {
  return stores.clusterMetadata.initializeClusterMetadata(
    ClusterMetadataRecord.fromPartial({
      clusterName: config.clusterName,
      clusterId: randomUUID(),
      historyShardCount: config.numHistoryShards,
      serverVersion: SERVER_VERSION,
      initializedTime: new Date(),
      pageTokenSecret: randomBytes(32),
    }),
  );
}

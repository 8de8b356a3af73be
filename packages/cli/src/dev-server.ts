// `tempora start-dev`: all four services in one process, on the embedded SQLite store or on Cassandra.
import {
  defaultConfig,
  type CassandraPersistenceConfig,
  type Logger,
  type ServerTlsConfig,
  type TemporaConfig,
} from '@tempora/common';
import { startProcess, type RunningProcess } from './process.js';

export interface DevServerOptions {
  ip?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The frontend's HTTP API; absent = a free port, 0 = off. */
  httpPort?: number;
  /** Prometheus /metrics for every service of the process; 0 / absent = off. */
  metricsPort?: number;
  persistence?: TemporaConfig['persistence']['driver'];
  /** SQLite file; in-memory when absent. */
  dbFile?: string;
  /** Cassandra connection; unset keys keep their defaults (127.0.0.1, keyspace tempora). */
  cassandra?: Partial<CassandraPersistenceConfig>;
  namespaces?: string[];
  numHistoryShards?: number;
  logLevel?: TemporaConfig['log']['level'];
  /** Visibility store: SQLite beside the persistence store (default) or an Elasticsearch index. */
  visibility?: { driver: 'sqlite' } | { driver: 'elasticsearch'; url: string; index?: string };
  /** The frontend's TLS (tls.frontend.server): certificate and key, optional client CA and required client auth. */
  tls?: Partial<ServerTlsConfig> & { certFile: string; keyFile: string };
  logger?: Logger;
  /** Changes the config after the options above are applied (authorization, limits, ...). */
  configure?: (config: TemporaConfig) => void;
}

export interface DevServer extends RunningProcess {
  /** host:port of the frontend. */
  readonly address: string;
  /** host:port of the frontend's HTTP API; absent when it is off. */
  readonly httpAddress?: string;
  readonly config: TemporaConfig;
}

export function devConfig(options: DevServerOptions): TemporaConfig {
  const config = defaultConfig();
  config.bindIp = options.ip ?? config.bindIp;
  config.services.frontend.grpcPort = options.port ?? config.services.frontend.grpcPort;
  config.services.frontend.httpPort = options.httpPort ?? 0;
  // One registry per process: the frontend's port serves every service's metrics (told apart by service_name).
  config.services.frontend.metricsPort = options.metricsPort ?? 0;
  config.persistence.driver = options.persistence ?? config.persistence.driver;
  config.persistence.sqlite.file = options.dbFile ?? '';
  Object.assign(config.persistence.cassandra, options.cassandra);
  config.namespaces = [...new Set(['default', ...(options.namespaces ?? [])])];
  config.numHistoryShards = options.numHistoryShards ?? config.numHistoryShards;
  config.log.level = options.logLevel ?? config.log.level;
  if (options.tls) Object.assign(config.tls.frontend.server, options.tls);
  if (options.visibility?.driver === 'elasticsearch') {
    config.visibility.driver = 'elasticsearch';
    config.visibility.elasticsearch.url = options.visibility.url;
    config.visibility.elasticsearch.index = options.visibility.index ?? config.visibility.elasticsearch.index;
  }
  options.configure?.(config);
  return config;
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const config = devConfig(options);
  const running = await startProcess({
    config,
    services: ['frontend', 'history', 'matching', 'worker'],
    inProcessOnly: ['history', 'matching', 'worker'],
    // A dev server just works: a fresh Cassandra gets its single-node keyspace, an older schema gets migrated.
    setupCassandraSchema: { replicationFactor: 1 },
    logger: options.logger,
    httpOnFreePort: options.httpPort === undefined,
  });
  const httpAddress = running.httpPort === undefined ? undefined : `${config.bindIp}:${running.httpPort}`;
  return { ...running, address: `${config.bindIp}:${running.ports.frontend}`, httpAddress, config };
}

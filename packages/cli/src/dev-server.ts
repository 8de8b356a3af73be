// `tempora start-dev`: all four services in one process, on the embedded SQLite store or on Cassandra.
import {
  ConfigError,
  createLogger,
  defaultConfig,
  type CassandraPersistenceConfig,
  type Logger,
  type ServerTlsConfig,
  type TemporaConfig,
} from '@tempora/common';
import { startProcess, type RunningProcess } from './process.js';
import { startWebUi, type WebUiStatus } from './web-ui.js';

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
  /** limits.retention.minimumSeconds: the shortest retention a namespace may have. */
  minRetentionSeconds?: number;
  numHistoryShards?: number;
  logLevel?: TemporaConfig['log']['level'];
  /** Visibility store: SQLite beside the persistence store (default) or an Elasticsearch index. */
  visibility?: { driver: 'sqlite' } | { driver: 'elasticsearch'; url: string; index?: string };
  /** The frontend's TLS (tls.frontend.server): certificate and key, optional client CA and required client auth. */
  tls?: Partial<ServerTlsConfig> & { certFile: string; keyFile: string };
  logger?: Logger;
  /**
   * Runs the official Web UI server on this port beside the dev server (when it is installed; `binary` defaults to
   * TEMPORA_UI_SERVER, else the one deploy/local/ui.sh installed). It binds `ip`, like the frontend.
   */
  ui?: { port: number; binary?: string };
  /** Changes the config after the options above are applied (authorization, limits, ...). */
  configure?: (config: TemporaConfig) => void;
}

export interface DevServer extends RunningProcess {
  /** host:port of the frontend. */
  readonly address: string;
  /** host:port of the frontend's HTTP API; absent when it is off. */
  readonly httpAddress?: string;
  readonly config: TemporaConfig;
  /** Set when `ui` was asked for: the running UI (stopped by stop()), or why it is not running. */
  readonly webUi?: WebUiStatus;
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
  config.limits.retention.minimumSeconds = options.minRetentionSeconds ?? config.limits.retention.minimumSeconds;
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
  // The UI server would need the frontend's CA and, with client auth, a client certificate of its own.
  if (options.ui && options.tls) throw new ConfigError('--ui-port cannot be combined with the --tls-* flags yet');
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
  const address = `${config.bindIp}:${running.ports.frontend}`;
  const httpAddress = running.httpPort === undefined ? undefined : `${config.bindIp}:${running.httpPort}`;
  if (!options.ui) return { ...running, address, httpAddress, config };
  let webUi: WebUiStatus;
  try {
    webUi = await startWebUi({
      ip: config.bindIp,
      port: options.ui.port,
      frontend: address,
      defaultNamespace: config.namespaces[0]!,
      binary: options.ui.binary,
      logger: options.logger ?? createLogger(config.log.level),
    });
  } catch (err) {
    await running.stop();
    throw err;
  }
  const stop = async () => {
    if ('running' in webUi) await webUi.running.stop();
    await running.stop();
  };
  return { ...running, address, httpAddress, config, webUi, stop };
}

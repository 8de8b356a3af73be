// Server configuration: one YAML file plus environment overrides. Every field has a default, so an empty file
// (or none) describes a single-machine cluster on loopback with the embedded SQLite store.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

export const SERVICE_NAMES = ['frontend', 'history', 'matching', 'worker'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface ServicePorts {
  /** gRPC port (frontend 7233, history 7234, matching 7235, worker 7239). */
  grpcPort: number;
  /** Prometheus /metrics and HTTP health; 0 = disabled. */
  metricsPort: number;
}

export interface WorkerServiceConfig extends ServicePorts {
  /**
   * The frontend the worker service's SDK workers connect to. Empty = the frontend of this process when it hosts
   * one (its bound address), else bindIp:services.frontend.grpcPort.
   */
  frontendAddress: string;
}

export interface SqlitePersistenceConfig {
  /** Database file; empty = in-memory (start-dev only: not shared between processes). */
  file: string;
}

export interface CassandraPersistenceConfig {
  contactPoints: string[];
  localDataCenter: string;
  keyspace: string;
  username: string;
  password: string;
  /** Consistency for reads and plain writes. */
  consistency: string;
  /** Consistency for the LWT (Paxos) phase of conditional writes. */
  serialConsistency: string;
}

export interface TemporaConfig {
  clusterName: string;
  /** Fixed at the cluster's first start; a later value that differs is ignored (the stored one wins). */
  numHistoryShards: number;
  bindIp: string;
  /** Address other processes use to reach this one; defaults to bindIp. */
  broadcastAddress: string;
  services: Record<ServiceName, ServicePorts> & { worker: WorkerServiceConfig };
  persistence: {
    driver: 'sqlite' | 'cassandra';
    sqlite: SqlitePersistenceConfig;
    cassandra: CassandraPersistenceConfig;
  };
  visibility: {
    /** sqlite: a table in a SQLite file; elasticsearch: one index per cluster. */
    driver: 'sqlite' | 'elasticsearch';
    /**
     * Empty file = the persistence SQLite file when persistence is SQLite, else in memory (one process only, so
     * cluster mode on Cassandra needs a file or Elasticsearch).
     */
    sqlite: { file: string };
    elasticsearch: { url: string; index: string };
  };
  membership: {
    /** Redis URL for the membership directory in cluster mode; empty = in-process (single process only). */
    redisUrl: string;
  };
  /** Namespaces registered at start when absent (start-dev registers `default`). */
  namespaces: string[];
  log: { level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent' };
}

export function defaultConfig(): TemporaConfig {
  return {
    clusterName: 'active',
    numHistoryShards: 4,
    bindIp: '127.0.0.1',
    broadcastAddress: '',
    services: {
      frontend: { grpcPort: 7233, metricsPort: 0 },
      history: { grpcPort: 7234, metricsPort: 0 },
      matching: { grpcPort: 7235, metricsPort: 0 },
      worker: { grpcPort: 7239, metricsPort: 0, frontendAddress: '' },
    },
    persistence: {
      driver: 'sqlite',
      sqlite: { file: '' },
      cassandra: {
        contactPoints: ['127.0.0.1'],
        localDataCenter: 'datacenter1',
        keyspace: 'tempora',
        username: '',
        password: '',
        consistency: 'LOCAL_QUORUM',
        serialConsistency: 'LOCAL_SERIAL',
      },
    },
    visibility: {
      driver: 'sqlite',
      sqlite: { file: '' },
      elasticsearch: { url: 'http://127.0.0.1:9200', index: 'tempora_visibility_v1' },
    },
    membership: { redisUrl: '' },
    namespaces: ['default'],
    log: { level: 'info' },
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The prefix of environment overrides: TEMPORA_PERSISTENCE__SQLITE__FILE=/x sets persistence.sqlite.file. */
export const ENV_PREFIX = 'TEMPORA_';
/** Settings of the test harness (e.g. TEMPORA_TEST_REDIS, TEMPORA_TEST_CASSANDRA), not config: servers it spawns inherit them. */
const TEST_ENV_PREFIX = 'TEMPORA_TEST_';

/**
 * Loads the YAML file (if any), overlays environment overrides, and validates the result against the
 * default config's shape: unknown keys and wrongly typed values are errors naming the key.
 */
export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): TemporaConfig {
  const config = defaultConfig();
  if (file) {
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
    }
    if (parsed !== null && parsed !== undefined) merge(config, parsed, '');
  }
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || name.startsWith(TEST_ENV_PREFIX) || value === undefined) continue;
    const path = name.slice(ENV_PREFIX.length).split('__').map(envSegmentToKey);
    setByPath(config, path, value, name);
  }
  validate(config);
  return config;
}

function envSegmentToKey(segment: string): string {
  // GRPC_PORT -> grpcPort
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function merge(target: Record<string, unknown> | object, source: unknown, path: string): void {
  if (typeof source !== 'object' || source === null || Array.isArray(source)) {
    throw new ConfigError(`config ${path || '(root)'} must be a mapping`);
  }
  const t = target as Record<string, unknown>;
  for (const [key, value] of Object.entries(source)) {
    const keyPath = path ? `${path}.${key}` : key;
    if (!(key in t)) throw new ConfigError(`unknown config key ${keyPath}`);
    const current = t[key];
    if (typeof current === 'object' && current !== null && !Array.isArray(current)) {
      merge(current, value, keyPath);
    } else {
      t[key] = coerce(current, value, keyPath);
    }
  }
}

function setByPath(config: TemporaConfig, path: string[], raw: string, envName: string): void {
  let node = config as unknown as Record<string, unknown>;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      throw new ConfigError(`environment variable ${envName} does not name a config key`);
    }
    node = next as Record<string, unknown>;
  }
  const leaf = path[path.length - 1]!;
  if (!(leaf in node)) throw new ConfigError(`environment variable ${envName} does not name a config key`);
  const current = node[leaf];
  const value = Array.isArray(current)
    ? raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : raw;
  node[leaf] = coerce(current, value, envName);
}

function coerce(current: unknown, value: unknown, where: string): unknown {
  if (typeof current === 'number') {
    const n = typeof value === 'string' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new ConfigError(`config ${where} must be a number`);
    return n;
  }
  if (typeof current === 'boolean') {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    throw new ConfigError(`config ${where} must be true or false`);
  }
  if (typeof current === 'string') {
    if (typeof value !== 'string') throw new ConfigError(`config ${where} must be a string`);
    return value;
  }
  if (Array.isArray(current)) {
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      throw new ConfigError(`config ${where} must be a list of strings`);
    }
    return value;
  }
  throw new ConfigError(`config ${where} cannot be set`);
}

function validate(config: TemporaConfig): void {
  if (!Number.isInteger(config.numHistoryShards) || config.numHistoryShards < 1 || config.numHistoryShards > 16384) {
    throw new ConfigError('config numHistoryShards must be an integer between 1 and 16384');
  }
  if (config.persistence.driver !== 'sqlite' && config.persistence.driver !== 'cassandra') {
    throw new ConfigError("config persistence.driver must be 'sqlite' or 'cassandra'");
  }
  if (config.visibility.driver !== 'sqlite' && config.visibility.driver !== 'elasticsearch') {
    throw new ConfigError("config visibility.driver must be 'sqlite' or 'elasticsearch'");
  }
  if (
    config.visibility.driver === 'sqlite' &&
    config.persistence.driver !== 'sqlite' &&
    !config.visibility.sqlite.file &&
    config.membership.redisUrl
  ) {
    throw new ConfigError(
      'config visibility.sqlite.file is required in cluster mode on Cassandra (an in-memory visibility table is not shared between processes); or use visibility.driver elasticsearch',
    );
  }
  for (const name of SERVICE_NAMES) {
    const port = config.services[name].grpcPort;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new ConfigError(`config services.${name}.grpcPort must be a port number`);
    }
  }
  const levels = ['trace', 'debug', 'info', 'warn', 'error', 'silent'];
  if (!levels.includes(config.log.level)) throw new ConfigError(`config log.level must be one of ${levels.join(', ')}`);
}

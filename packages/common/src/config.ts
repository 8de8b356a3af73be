// Server configuration: one YAML file plus environment overrides. Every field has a default, so an empty file
// (or none) describes a single-machine cluster on loopback with the embedded SQLite store.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { parseGoDurationNanos } from './duration.js';

export const SERVICE_NAMES = ['frontend', 'history', 'matching', 'worker'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface ServicePorts {
  /** gRPC port (frontend 7233, history 7234, matching 7235, worker 7239). */
  grpcPort: number;
  /** Prometheus /metrics and HTTP health; 0 = disabled. */
  metricsPort: number;
}

export interface FrontendServiceConfig extends ServicePorts {
  /** The HTTP/JSON API (upstream's HTTP API: grpc-gateway routes, same interceptors); 0 = disabled. */
  httpPort: number;
}

export interface HistoryServiceConfig extends ServicePorts {
  /**
   * Group commit: a shard's transitions that meet in flight share one conditional write of at most maxWrites
   * executions and maxBytes of state and task data (Cassandra's batch_size_fail_threshold is 50 KiB by default).
   * maxWrites 1 writes every transition alone.
   */
  groupCommit: { maxWrites: number; maxBytes: number };
  /**
   * How often a host re-checks its shards between ring changes (upstream's history.acquireShardInterval): it
   * re-acquires shards whose acquisition failed or that a fenced write closed, and closes shards another host took.
   */
  shardCheckIntervalMs: number;
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
  tls: StoreTlsConfig;
}

/** A listener's TLS (upstream's ServerTLS). TLS is on when certFile is set. */
export interface ServerTlsConfig {
  /** PEM certificate chain presented to clients. */
  certFile: string;
  /** PEM private key of certFile. */
  keyFile: string;
  /** PEM CAs that client certificates are verified against; set = client certificates are asked for. */
  clientCaFiles: string[];
  /** Refuse clients without a certificate signed by clientCaFiles (mutual TLS). */
  requireClientAuth: boolean;
}

/** How a client of a group verifies its server (upstream's ClientTLS). */
export interface ClientTlsConfig {
  /** Name the server's certificate is checked against instead of the dialed host (internode: one name for all). */
  serverName: string;
  /** Accept any server certificate name (the chain is still verified against rootCaFiles). */
  disableHostVerification: boolean;
  /** PEM CAs the server's certificate is verified against; empty = the system's roots. */
  rootCaFiles: string[];
}

/** One group's listeners and the clients that call them (upstream's GroupTLS). */
export interface GroupTlsConfig {
  server: ServerTlsConfig;
  client: ClientTlsConfig;
}

/** upstream's global.tls: certificate and key files, re-read when they change. */
export interface TlsConfig {
  /** Between history, matching, worker and the frontend's internal clients; clients present server.certFile. */
  internode: GroupTlsConfig;
  /** SDKs and the CLI to the frontend. */
  frontend: GroupTlsConfig;
  /** The worker service's own SDK connection to the frontend (its client certificate and how it checks the frontend). */
  systemWorker: { certFile: string; keyFile: string; client: ClientTlsConfig };
  /** How often certificate files are re-read (Go duration); changes seen by a file watch apply at once. */
  refreshInterval: string;
}

/** TLS to a store (upstream's auth.TLS). */
export interface StoreTlsConfig {
  enabled: boolean;
  /** Client certificate and key (mutual TLS), optional. */
  certFile: string;
  keyFile: string;
  /** PEM CA the store's certificate is verified against; empty = the system's roots. */
  caFile: string;
  /** Name the store's certificate is checked against instead of the host. */
  serverName: string;
  /** Check the certificate's name (the chain is always verified). */
  enableHostVerification: boolean;
}

/** upstream's global.authorization: the default JWT claim mapper and authorizer. */
export interface AuthorizationConfig {
  /** Off (default): every call is allowed. On: every frontend call needs a permission (deny by default). */
  enabled: boolean;
  jwtKeyProvider: {
    /** JWKS sources: file:///path/jwks.json or https://issuer/.well-known/jwks.json (one or more). */
    keySourceUris: string[];
    /** How often the key sets are re-read (Go duration); an unknown key id re-reads them at most once a second. */
    refreshInterval: string;
  };
  /** The claim holding the permissions (a dotted path such as `realm_access.roles` reaches nested claims). */
  permissionsClaimName: string;
  /**
   * A regular expression with named groups `namespace` and `role` that maps each permission string to a namespace
   * and a role (upstream's permissionsRegex); empty = the `<namespace>:<role>` form.
   */
  permissionsRegex: string;
  /** The claim naming the caller (a dotted path allowed). */
  subjectClaimName: string;
  /** Expected `aud`; empty = not checked. */
  audience: string;
}

/** Rates, in user terms (see README "Limits"). 0 = no limit. Reloaded from the config file on SIGHUP. */
export interface FrontendLimitsConfig {
  /** Requests per second of one frontend host, all namespaces together (upstream frontend.rps). */
  rps: number;
  /** Requests per second per namespace, polls and visibility excluded (frontend.namespaceRPS). */
  namespaceRps: number;
  /** Bucket size as a multiple of the rate (frontend.namespaceBurstRatio). */
  namespaceBurstRatio: number;
  /** Long polls per second per namespace (PollWorkflowTaskQueue, PollActivityTaskQueue, ...). */
  namespacePollRps: number;
  /** Visibility calls per second per namespace (List/Scan/Count, frontend.namespaceRPS.visibility). */
  namespaceVisibilityRps: number;
  /** Workflow starts per second per namespace (start, signal-with-start, multi-operation), on top of namespaceRps. */
  namespaceStartsPerSecond: number;
  /** Signals per second per namespace (signal, signal-with-start), on top of namespaceRps. */
  namespaceSignalsPerSecond: number;
}

export interface HistoryLimit {
  suggestContinueAsNew: number;
  warn: number;
  error: number;
}

export interface LimitsConfig {
  frontend: FrontendLimitsConfig;
  /** Store operations per second per host of each service (upstream history/matching.persistenceMaxQPS). */
  persistence: { historyQps: number; matchingQps: number };
  /** Bytes of one payload field (limit.blobSize.warn / .error). */
  blobSize: { warn: number; error: number };
  /** Bytes of a run's memo (limit.memoSize.warn / .error). */
  memoSize: { warn: number; error: number };
  /**
   * Bytes of a run's history (limit.historySize.*): past suggestContinueAsNew the workflow task says so, past warn
   * history logs, past error the run is terminated on its next change.
   */
  historySize: HistoryLimit;
  /** Events of a run's history (limit.historyCount.*), with the same three thresholds. */
  historyCount: HistoryLimit;
  /** gRPC messages (bytes) every server accepts and every client accepts. */
  grpc: { maxReceiveMessageSize: number; maxSendMessageSize: number };
  /**
   * Batch operations: open jobs per namespace (frontend.MaxConcurrentBatchOperationPerNamespace), the operations
   * per second of one job when the request asks for none or more (worker.batcherRPS), how many run at once
   * (worker.batcherConcurrency) and how many targets one page (one checkpointed activity) holds (upstream's 1000).
   */
  batch: { maxConcurrentPerNamespace: number; rps: number; concurrency: number; pageSize: number };
  retention: {
    /**
     * The shortest retention RegisterNamespace/UpdateNamespace accept, in seconds (upstream's one day for global
     * namespaces); lower it (at least 1) for tests that need runs deleted within seconds.
     */
    minimumSeconds: number;
    /** Closed runs each history host deletes per second when their retention ends (0 = no limit). */
    deletesPerSecond: number;
  };
  /** Runs a namespace deletion deletes per second (upstream DeleteNamespaceDeleteActivityRPS; 0 = no limit). */
  namespaceDeletion: { deletesPerSecond: number };
}

export interface TemporaConfig {
  clusterName: string;
  /** Fixed at the cluster's first start; a later value that differs is ignored (the stored one wins). */
  numHistoryShards: number;
  bindIp: string;
  /** Address other processes use to reach this one; defaults to bindIp. */
  broadcastAddress: string;
  services: Record<ServiceName, ServicePorts> & {
    frontend: FrontendServiceConfig;
    history: HistoryServiceConfig;
    worker: WorkerServiceConfig;
  };
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
    elasticsearch: { url: string; index: string; tls: StoreTlsConfig };
  };
  membership: {
    /** Redis URL for the membership directory in cluster mode; empty = in-process (single process only). */
    redisUrl: string;
    /** TLS to Redis (a rediss:// URL turns it on too). */
    redisTls: StoreTlsConfig;
    /** How often a cluster process re-reads the history shard layout from cluster metadata (a reshard changes it). */
    shardLayoutRefreshMs: number;
  };
  tls: TlsConfig;
  authorization: AuthorizationConfig;
  limits: LimitsConfig;
  /** Namespaces registered at start when absent (start-dev registers `default`). */
  namespaces: string[];
  log: {
    /** Env: TEMPORA_LOG__LEVEL (or its alias TEMPORA_LOG_LEVEL). */
    level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';
    /** Served calls slower than this are logged once (warn); long polls excluded; 0 = off. */
    slowRequestMs: number;
  };
}

function defaultServerTls(): ServerTlsConfig {
  return { certFile: '', keyFile: '', clientCaFiles: [], requireClientAuth: false };
}

function defaultClientTls(): ClientTlsConfig {
  return { serverName: '', disableHostVerification: false, rootCaFiles: [] };
}

export function defaultStoreTls(): StoreTlsConfig {
  return { enabled: false, certFile: '', keyFile: '', caFile: '', serverName: '', enableHostVerification: true };
}

export function defaultAuthorization(): AuthorizationConfig {
  return {
    enabled: false,
    jwtKeyProvider: { keySourceUris: [], refreshInterval: '1m' },
    permissionsClaimName: 'permissions',
    permissionsRegex: '',
    subjectClaimName: 'sub',
    audience: '',
  };
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** upstream's defaults (dynamic config), where upstream has the limit. */
export function defaultLimits(): LimitsConfig {
  return {
    frontend: {
      rps: 2400,
      namespaceRps: 2400,
      namespaceBurstRatio: 2,
      namespacePollRps: 2400,
      namespaceVisibilityRps: 10,
      namespaceStartsPerSecond: 0,
      namespaceSignalsPerSecond: 0,
    },
    persistence: { historyQps: 9000, matchingQps: 9000 },
    blobSize: { warn: 512 * KiB, error: 2 * MiB },
    memoSize: { warn: 2 * KiB, error: 2 * MiB },
    historySize: { suggestContinueAsNew: 4 * MiB, warn: 10 * MiB, error: 50 * MiB },
    historyCount: { suggestContinueAsNew: 4 * KiB, warn: 10 * KiB, error: 50 * KiB },
    grpc: { maxReceiveMessageSize: 128 * MiB, maxSendMessageSize: 128 * MiB },
    batch: { maxConcurrentPerNamespace: 1, rps: 50, concurrency: 5, pageSize: 1000 },
    retention: { minimumSeconds: 24 * 3600, deletesPerSecond: 100 },
    namespaceDeletion: { deletesPerSecond: 100 },
  };
}

/** The most history shards a cluster may have, at its first start or after a reshard. */
export const MAX_HISTORY_SHARDS = 16384;

export function defaultConfig(): TemporaConfig {
  return {
    clusterName: 'active',
    numHistoryShards: 4,
    bindIp: '127.0.0.1',
    broadcastAddress: '',
    services: {
      frontend: { grpcPort: 7233, metricsPort: 0, httpPort: 7243 },
      history: {
        grpcPort: 7234,
        metricsPort: 0,
        groupCommit: { maxWrites: 32, maxBytes: 32 * 1024 },
        shardCheckIntervalMs: 1_000,
      },
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
        tls: defaultStoreTls(),
      },
    },
    visibility: {
      driver: 'sqlite',
      sqlite: { file: '' },
      elasticsearch: { url: 'http://127.0.0.1:9200', index: 'tempora_visibility_v1', tls: defaultStoreTls() },
    },
    membership: { redisUrl: '', redisTls: defaultStoreTls(), shardLayoutRefreshMs: 1_000 },
    tls: {
      internode: { server: defaultServerTls(), client: defaultClientTls() },
      frontend: { server: defaultServerTls(), client: defaultClientTls() },
      systemWorker: { certFile: '', keyFile: '', client: defaultClientTls() },
      refreshInterval: '1m',
    },
    authorization: defaultAuthorization(),
    limits: defaultLimits(),
    namespaces: ['default'],
    log: { level: 'info', slowRequestMs: 1000 },
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The prefix of environment overrides: TEMPORA_PERSISTENCE__SQLITE__FILE=/x sets persistence.sqlite.file. */
export const ENV_PREFIX = 'TEMPORA_';
/** Environment variables that name a config key other than by the TEMPORA_A__B convention (documented aliases). */
const ENV_ALIASES: Record<string, string> = { TEMPORA_LOG_LEVEL: 'TEMPORA_LOG__LEVEL' };
/**
 * The YAML parser is loaded only when a config file is read: start-dev takes none, and every module loaded at start
 * delays the port opening (docs/operations.md "Restart time").
 */
function parseYaml(text: string): unknown {
  const yaml = createRequire(import.meta.url)('yaml') as typeof Yaml;
  return yaml.parse(text);
}

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
    const alias = ENV_ALIASES[name];
    // The canonical spelling wins when both are set.
    if (alias && env[alias] !== undefined) continue;
    const path = (alias ?? name).slice(ENV_PREFIX.length).split('__').map(envSegmentToKey);
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
  const shards = config.numHistoryShards;
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_HISTORY_SHARDS) {
    throw new ConfigError(`config numHistoryShards must be an integer between 1 and ${MAX_HISTORY_SHARDS}`);
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
  const checkPort = (port: number, key: string) => {
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new ConfigError(`config ${key} must be a port number`);
  };
  for (const name of SERVICE_NAMES) {
    for (const key of ['grpcPort', 'metricsPort'] as const)
      checkPort(config.services[name][key], `services.${name}.${key}`);
  }
  checkPort(config.services.frontend.httpPort, 'services.frontend.httpPort');
  const { groupCommit } = config.services.history;
  if (!Number.isInteger(groupCommit.maxWrites) || groupCommit.maxWrites < 1 || groupCommit.maxWrites > 1000) {
    throw new ConfigError('config services.history.groupCommit.maxWrites must be an integer between 1 and 1000');
  }
  if (!Number.isInteger(groupCommit.maxBytes) || groupCommit.maxBytes < 1) {
    throw new ConfigError('config services.history.groupCommit.maxBytes must be a positive integer');
  }
  const { shardCheckIntervalMs } = config.services.history;
  if (!Number.isInteger(shardCheckIntervalMs) || shardCheckIntervalMs < 100) {
    throw new ConfigError('config services.history.shardCheckIntervalMs must be an integer of at least 100');
  }
  const { shardLayoutRefreshMs } = config.membership;
  if (!Number.isInteger(shardLayoutRefreshMs) || shardLayoutRefreshMs < 100) {
    throw new ConfigError('config membership.shardLayoutRefreshMs must be an integer of at least 100');
  }
  validateTls(config);
  validateAuthorization(config.authorization);
  validateLimits(config.limits);
  const levels = ['trace', 'debug', 'info', 'warn', 'error', 'silent'];
  if (!Number.isFinite(config.log.slowRequestMs) || config.log.slowRequestMs < 0) {
    throw new ConfigError('config log.slowRequestMs must be a number of milliseconds (0 = off)');
  }
  if (!levels.includes(config.log.level)) throw new ConfigError(`config log.level must be one of ${levels.join(', ')}`);
}

function validateTls(config: TemporaConfig): void {
  const { tls } = config;
  const nanos = parseGoDurationNanos(tls.refreshInterval);
  if (nanos === undefined || nanos <= 0) {
    throw new ConfigError(
      `config tls.refreshInterval must be a positive Go duration (e.g. 1m), got "${tls.refreshInterval}"`,
    );
  }
  for (const group of ['internode', 'frontend'] as const) {
    const server = tls[group].server;
    const where = `tls.${group}.server`;
    if (Boolean(server.certFile) !== Boolean(server.keyFile)) {
      throw new ConfigError(`config ${where}.certFile and ${where}.keyFile must be set together`);
    }
    if (server.requireClientAuth && !server.clientCaFiles.length) {
      throw new ConfigError(`config ${where}.requireClientAuth needs ${where}.clientCaFiles`);
    }
    if (!server.certFile && (server.clientCaFiles.length || server.requireClientAuth)) {
      throw new ConfigError(`config ${where}.clientCaFiles and requireClientAuth need ${where}.certFile and keyFile`);
    }
  }
  if (Boolean(tls.systemWorker.certFile) !== Boolean(tls.systemWorker.keyFile)) {
    throw new ConfigError('config tls.systemWorker.certFile and tls.systemWorker.keyFile must be set together');
  }
  const stores: [string, StoreTlsConfig][] = [
    ['persistence.cassandra.tls', config.persistence.cassandra.tls],
    ['visibility.elasticsearch.tls', config.visibility.elasticsearch.tls],
    ['membership.redisTls', config.membership.redisTls],
  ];
  for (const [where, store] of stores) {
    if (Boolean(store.certFile) !== Boolean(store.keyFile)) {
      throw new ConfigError(`config ${where}.certFile and ${where}.keyFile must be set together`);
    }
  }
}

function validateAuthorization(auth: AuthorizationConfig): void {
  const nanos = parseGoDurationNanos(auth.jwtKeyProvider.refreshInterval);
  if (nanos === undefined || nanos <= 0) {
    throw new ConfigError('config authorization.jwtKeyProvider.refreshInterval must be a positive Go duration');
  }
  for (const uri of auth.jwtKeyProvider.keySourceUris) {
    if (!/^(file|https?):\/\//.test(uri)) {
      throw new ConfigError(
        `config authorization.jwtKeyProvider.keySourceUris: ${uri} is not a file://, http:// or https:// URI`,
      );
    }
  }
  if (auth.enabled && !auth.jwtKeyProvider.keySourceUris.length) {
    throw new ConfigError('config authorization.enabled needs authorization.jwtKeyProvider.keySourceUris');
  }
  if (auth.permissionsRegex) {
    let re: RegExp;
    try {
      re = new RegExp(auth.permissionsRegex);
    } catch (err) {
      throw new ConfigError(`config authorization.permissionsRegex does not compile: ${(err as Error).message}`);
    }
    if (!re.source.includes('?<namespace>') || !re.source.includes('?<role>')) {
      throw new ConfigError(
        'config authorization.permissionsRegex needs the named groups (?<namespace>...) and (?<role>...)',
      );
    }
  }
}

/** Every limit is a non-negative number; bounds that must be ordered are. */
export function validateLimits(limits: LimitsConfig): void {
  const walk = (node: object, path: string) => {
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'object' && value !== null) walk(value as object, `${path}.${key}`);
      else if (typeof value !== 'number' || !(value >= 0)) throw new ConfigError(`config ${path}.${key} must be >= 0`);
    }
  };
  walk(limits, 'limits');
  if (limits.frontend.namespaceBurstRatio <= 0)
    throw new ConfigError('config limits.frontend.namespaceBurstRatio must be > 0');
  for (const key of ['maxConcurrentPerNamespace', 'rps', 'concurrency', 'pageSize'] as const) {
    if (limits.batch[key] < 1) throw new ConfigError(`config limits.batch.${key} must be >= 1`);
  }
  if (limits.retention.minimumSeconds < 1)
    throw new ConfigError('config limits.retention.minimumSeconds must be >= 1 (zero retention reads as forever)');
  for (const key of ['blobSize', 'memoSize', 'historySize', 'historyCount'] as const) {
    const { warn, error } = limits[key];
    if (error > 0 && warn > error)
      throw new ConfigError(`config limits.${key}.warn must not exceed limits.${key}.error`);
  }
}

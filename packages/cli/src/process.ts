// Hosts a set of services in this process. Each service that listens gets its own gRPC server (with health) on its
// configured port; in start-dev only the frontend listens and the others are reached in process. With
// membership.redisUrl set (cluster mode) every listening service joins its ring in Redis and history and matching
// are called over gRPC on the host that owns each call; otherwise membership is in-process and so are the calls.
import type { Server } from '@grpc/grpc-js';
import {
  SERVER_VERSION,
  createLogger,
  serverTlsEnabled,
  storeTlsOptions,
  tlsRefreshIntervalMs,
  type Logger,
  type ServiceName,
  type LimitsConfig,
  type TemporaConfig,
} from '@tempora/common';
import { FrontendService } from '@tempora/frontend';
import { HistoryService } from '@tempora/history';
import { MatchingService } from '@tempora/matching';
import {
  LocalMembership,
  RedisMembership,
  historyRouter,
  matchingRouter,
  memberIdentity,
  ShardLayout,
  type Membership,
} from '@tempora/membership';
import { NamespaceRegistry } from '@tempora/namespace';
import { rateLimitStores, type KeyspaceReplication, type PersistenceStores } from '@tempora/persistence';
import { ResourceExhaustedCause, ResourceExhaustedScope } from '@tempora/proto/enums';
import type { ClusterMetadataRecord } from '@tempora/proto/persistence';
import type { VisibilityStore } from '@tempora/visibility';
import * as historyMessages from '@tempora/proto/internal';
import {
  HistoryServiceService,
  type HistoryServiceServer,
  MatchingServiceService,
  type MatchingServiceServer,
} from '@tempora/proto/internal';
import * as matchingMessages from '@tempora/proto/internal';
import {
  addHealthService,
  channelSecurity,
  configureAuthorization,
  FrontendRateLimiter,
  TokenBucket,
  HttpGateway,
  createServer,
  resourceExhausted,
  inProcessClient,
  listen,
  routedClient,
  serverCredentials,
  setServing,
  shutdown,
  type AsyncHandlers,
  type ChannelSecurity,
  type Health,
  type Interceptor,
  type RpcClient,
} from '@tempora/rpc';
import {
  NOOP_METRICS,
  PrometheusMetrics,
  instrumentStores,
  measureClient,
  otlpMetricsRequested,
  serveMetrics,
  startOtlpMetrics,
  startTracing,
  telemetryInterceptor,
  tracingInterceptor,
  type MetricsServer,
  type Metrics,
} from '@tempora/telemetry';
import { WorkerService } from '@tempora/worker';
import { composePipelines, type ExtraInterceptors, type Pipelines } from './pipeline.js';
import { initializeCluster, openStores, openVisibility } from './stores.js';

/** How long in-flight calls get to finish at shutdown before they are cancelled. */
const SHUTDOWN_GRACE_MS = 5_000;

export interface ProcessOptions {
  config: TemporaConfig;
  services: ServiceName[];
  /** Services that get no port of their own (start-dev: everything but the frontend). */
  inProcessOnly?: ServiceName[];
  logger?: Logger;
  /** Cassandra only: create the keyspace and migrate it before opening the stores (start-dev). */
  setupCassandraSchema?: KeyspaceReplication;
  /** Interceptors added after the built-in ones (telemetry first) in every served / outgoing pipeline. */
  interceptors?: ExtraInterceptors;
  /** Serve the HTTP API on a free port when services.frontend.httpPort is 0 (test dev servers). */
  httpOnFreePort?: boolean;
}

export interface RunningProcess {
  readonly stores: PersistenceStores;
  readonly membership: Membership;
  /** Bound gRPC port per listening service. */
  readonly ports: Partial<Record<ServiceName, number>>;
  /** Bound /metrics ports (one per distinct configured metricsPort of the hosted services). */
  readonly metricsPorts: number[];
  /** Bound port of the frontend's HTTP API; absent when it is off or no frontend listens here. */
  readonly httpPort?: number;
  /** Applies new rate limits (limits.frontend) without a restart; `tempora start` calls it on SIGHUP. */
  reloadLimits(limits: LimitsConfig): void;
  stop(): Promise<void>;
}

export async function startProcess(options: ProcessOptions): Promise<RunningProcess> {
  const logger = options.logger ?? createLogger(options.config.log.level);
  const resources = new Resources();
  // What is up so far: a failed start drains exactly that (a started history holds shards, a server its port).
  const started: ServiceName[] = [];
  const listeners: Listener[] = [];
  let wiring: Wiring | undefined;
  try {
    const telemetry = await startTelemetry(options, logger, resources);
    const security = await startSecurity(options, logger, resources);
    const pipelines = composePipelines({
      served: (service) => [...telemetry.served(service), ...security.served(service)],
      sent: telemetry.sent,
      extra: options.interceptors,
    });
    const storage = await openStorage(options, logger, resources);
    wiring = await wire(options, storage, logger, resources, pipelines, telemetry, security);
    await startServices(wiring.hosted, options.services, started);
    await listenAll(options, wiring, logger, listeners);
    // The worker service's SDK workers reach this process's frontend once it listens.
    const frontendPort = listeners.find((l) => l.service === 'frontend')?.port;
    if (frontendPort !== undefined)
      wiring.hosted.worker?.useLocalFrontend(`${loopback(options.config)}:${frontendPort}`);
    const running = wiring;
    let stopping: Promise<void> | undefined;
    return {
      stores: storage.stores,
      membership: running.membership,
      ports: Object.fromEntries(listeners.map((l) => [l.service, l.port])),
      metricsPorts: telemetry.ports,
      httpPort: listeners.find((l) => l.http)?.http?.port,
      reloadLimits: (limits) => security.reloadLimits(limits),
      stop: () => (stopping ??= drain(started, running, listeners, resources, logger)),
    };
  } catch (err) {
    if (wiring) await drain(started, wiring, listeners, resources, logger);
    else await resources.closeAll();
    throw err;
  }
}

/** What the process opened (stores, membership, client channels): closed in reverse, at stop or when startup fails. */
class Resources {
  private readonly closers: (() => Promise<void> | void)[] = [];

  add<T extends { close(): Promise<void> | void }>(resource: T): T {
    this.closers.push(() => resource.close());
    return resource;
  }

  async closeAll(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close();
  }
}

/** The process's metrics registry, its /metrics servers and the telemetry interceptors of its pipelines. */
interface Telemetry {
  metrics: Metrics;
  ports: number[];
  served: (service: ServiceName) => Interceptor[];
  /** Outgoing internal calls to `service`: the tracing interceptor when traces are on, else nothing. */
  sent: (service: ServiceName) => Interceptor[];
  /** Names of namespace ids for metrics tags; bound to the process's NamespaceRegistry once it exists. */
  bindNamespaces: (registry: NamespaceRegistry) => void;
  namespaceName: (id: string) => string | undefined;
}

/**
 * Metrics are on when any hosted service has a metricsPort: one registry per process (services are told apart by
 * service_name), served on every distinct configured port. Off: no-op handles and no metrics interceptor work.
 */
async function startTelemetry(options: ProcessOptions, logger: Logger, resources: Resources): Promise<Telemetry> {
  const { config } = options;
  const configured = [...new Set(options.services.map((s) => config.services[s].metricsPort).filter((p) => p > 0))];
  // Metrics are also on, pushed over OTLP, when the OTEL_* variables ask for that (docs/operations.md).
  const otlp = otlpMetricsRequested();
  const prometheus = configured.length || otlp ? new PrometheusMetrics() : undefined;
  const metrics: Metrics = prometheus ?? NOOP_METRICS;
  const ports: number[] = [];
  if (prometheus) {
    for (const port of configured) {
      const server: MetricsServer = resources.add(await serveMetrics(prometheus, config.bindIp, port));
      ports.push(server.port);
      logger.info({ address: `${config.bindIp}:${server.port}` }, 'metrics listening at /metrics');
    }
  }
  if (prometheus && otlp) {
    // service.name as traces name it: one service per process -> tempora-<service>, start-dev -> tempora.
    const prefix = process.env.OTEL_SERVICE_NAME?.trim() || 'tempora';
    const name = options.services.length === 1 ? `${prefix}-${options.services[0]}` : prefix;
    const pushed = await startOtlpMetrics(prometheus.registry, name);
    if (pushed) resources.add({ close: () => pushed.shutdown() });
  }
  // Traces: only when the OTEL_* variables ask for them (docs/operations.md); off, no interceptor is added.
  const tracing = await startTracing();
  if (tracing) {
    resources.add({ close: () => tracing.shutdown() });
    logger.info('traces on (OTLP, per the OTEL_* environment)');
  }
  let registry: NamespaceRegistry | undefined;
  const namespaceName = (id: string) => registry?.cachedName(id);
  const interceptors = new Map<ServiceName, Interceptor[]>();
  const traced = (service: ServiceName) => {
    const interceptor = tracing ? tracingInterceptor({ service, namespaceName }) : undefined;
    return interceptor ? [interceptor] : [];
  };
  return {
    metrics,
    ports,
    namespaceName,
    bindNamespaces: (r) => (registry = r),
    served: (service) => {
      let list = interceptors.get(service);
      if (!list) {
        list = [
          ...traced(service),
          telemetryInterceptor({
            service,
            metrics,
            logger,
            slowRequestMs: config.log.slowRequestMs,
            namespaceName,
          }),
        ];
        interceptors.set(service, list);
      }
      return list;
    },
    sent: traced,
  };
}

/** The frontend's authorization and rate-limit interceptors (after telemetry: denied calls are still measured). */
interface Security {
  served: (service: ServiceName) => Interceptor[];
  /** The stores a service is handed: history's and matching's draw from their persistence QPS budget. */
  limitStores: (service: ServiceName, stores: PersistenceStores) => PersistenceStores;
  reloadLimits(limits: LimitsConfig): void;
}

/** Upstream's ErrPersistenceSystemLimitExceeded. */
const persistenceLimitExceeded = () =>
  resourceExhausted(
    'System Persistence Max QPS Reached.',
    ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_PERSISTENCE_LIMIT,
    ResourceExhaustedScope.RESOURCE_EXHAUSTED_SCOPE_SYSTEM,
  );

async function startSecurity(options: ProcessOptions, logger: Logger, resources: Resources): Promise<Security> {
  const { config } = options;
  const hostsFrontend = options.services.includes('frontend');
  const authorization = hostsFrontend
    ? await configureAuthorization(config.authorization, config.tls.systemWorker.certFile, logger)
    : undefined;
  if (authorization) resources.add(authorization);
  const limiter = new FrontendRateLimiter(config.limits.frontend);
  const frontend = [...(authorization ? [authorization.interceptor] : []), limiter.interceptor()];
  // One budget per service of this host (upstream's history/matching.persistenceMaxQPS), burst one second's worth.
  const { historyQps, matchingQps } = config.limits.persistence;
  const storeBudgets = {
    history: new TokenBucket(historyQps, historyQps),
    matching: new TokenBucket(matchingQps, matchingQps),
  };
  return {
    served: (service) => (service === 'frontend' ? frontend : []),
    limitStores: (service, stores) => {
      if (service !== 'history' && service !== 'matching') return stores;
      const budget = storeBudgets[service];
      return rateLimitStores(stores, { tryTake: () => budget.tryTake(), refused: persistenceLimitExceeded });
    },
    reloadLimits: (limits) => {
      limiter.update(limits.frontend);
      storeBudgets.history.set(limits.persistence.historyQps, limits.persistence.historyQps);
      storeBudgets.matching.set(limits.persistence.matchingQps, limits.persistence.matchingQps);
      logger.info({ limits: { frontend: limits.frontend, persistence: limits.persistence } }, 'rate limits reloaded');
    },
  };
}

interface Storage {
  stores: PersistenceStores;
  visibility: VisibilityStore;
  cluster: ClusterMetadataRecord;
  /** Where executions live; a reshard changes it while the process runs. */
  layout: ShardLayout;
}

async function openStorage(options: ProcessOptions, logger: Logger, resources: Resources): Promise<Storage> {
  const { config } = options;
  const stores = resources.add(await openStores(config, { setupCassandraSchema: options.setupCassandraSchema }));
  const visibility = resources.add(await openVisibility(config));
  const cluster = await initializeCluster(stores, config);
  if (cluster.historyShardCount !== config.numHistoryShards) {
    logger.warn(
      { configured: config.numHistoryShards, stored: cluster.historyShardCount },
      'numHistoryShards is fixed at the first start; using the stored value',
    );
  }
  return { stores, visibility, cluster, layout: new ShardLayout(cluster) };
}

interface HostedServices {
  frontend?: FrontendService;
  history?: HistoryService;
  matching?: MatchingService;
  worker?: WorkerService;
}

interface Wiring {
  pipelines: Pipelines;
  membership: Membership;
  identities: Record<ServiceName, string>;
  hosted: HostedServices;
}

/** What this process runs: its membership, the clients the services call each other through, and the services. */
async function wire(
  options: ProcessOptions,
  storage: Storage,
  logger: Logger,
  resources: Resources,
  pipelines: Pipelines,
  telemetry: Telemetry,
  security: Security,
): Promise<Wiring> {
  const { config, services } = options;
  const membership = resources.add(await connectMembership(config, logger));
  const identities = Object.fromEntries(services.map((s) => [s, memberIdentity(s)])) as Record<ServiceName, string>;
  const clustered = isClustered(config);
  if (clustered) {
    // A reshard is committed by whichever history host splits a shard: the others read it back from the store.
    const stopFollowing = storage.layout.follow(
      () => storage.stores.clusterMetadata.getClusterMetadata(),
      config.membership.shardLayoutRefreshMs,
      logger,
    );
    resources.add({ close: stopFollowing });
  }
  const clients = clustered
    ? routedClients(membership, storage.layout, resources, pipelines, internodeSecurity(config, logger))
    : inProcessClients(pipelines);
  if (!clustered) {
    // One process serves every shard and queue: its members are the whole ring from the start.
    for (const service of services) {
      await membership.register({ service, identity: identities[service], address: '', startedTime: Date.now() });
    }
  }
  // One namespace cache per process: frontend writes invalidate what history reads.
  const namespaces = new NamespaceRegistry(storage.stores.namespaces);
  telemetry.bindNamespaces(namespaces);
  const hosted = hostServices(services, {
    config,
    logger,
    ...storage,
    membership,
    identities,
    clients,
    namespaces,
    telemetry,
    limitStores: security.limitStores,
  });
  clients.attach(hosted);
  return { pipelines, membership, identities, hosted };
}

/** Where this process reaches its own listening frontend. */
function loopback(config: TemporaConfig): string {
  return config.bindIp === '0.0.0.0' || config.bindIp === '::' ? '127.0.0.1' : config.bindIp;
}

function isClustered(config: TemporaConfig): boolean {
  return Boolean(config.membership.redisUrl);
}

function connectMembership(config: TemporaConfig, logger: Logger): Promise<Membership> {
  return isClustered(config)
    ? RedisMembership.connect({
        url: config.membership.redisUrl,
        clusterName: config.clusterName,
        logger,
        tls: storeTlsOptions(config.membership.redisTls, 'membership.redisTls'),
      })
    : Promise.resolve(new LocalMembership());
}

/** How the services reach history and matching. */
interface InternalClients {
  history: RpcClient<HistoryServiceServer>;
  matching: RpcClient<MatchingServiceServer>;
  /** Points in-process calls at the services hosted here. */
  attach(hosted: HostedServices): void;
}

/**
 * Internode mTLS when tls.internode.server has a certificate: clients present that certificate (as upstream's do)
 * and verify the peer with tls.internode.client.
 */
function internodeSecurity(config: TemporaConfig, logger: Logger): ChannelSecurity | undefined {
  const { server, client } = config.tls.internode;
  if (!serverTlsEnabled(server)) return undefined;
  return channelSecurity(client, {
    identity: { certFile: server.certFile, keyFile: server.keyFile },
    refreshMs: tlsRefreshIntervalMs(config),
    logger,
    name: 'tls.internode.client',
  });
}

/** Each call goes over gRPC to the member that owns its shard or task queue. */
function routedClients(
  membership: Membership,
  layout: ShardLayout,
  resources: Resources,
  pipelines: Pipelines,
  security: ChannelSecurity | undefined,
): InternalClients {
  const history = routedClient<HistoryServiceServer>(HistoryServiceService, historyMessages, {
    router: historyRouter(membership, layout),
    serviceName: 'history',
    interceptors: pipelines.sent('history'),
    security,
  });
  const matching = routedClient<MatchingServiceServer>(MatchingServiceService, matchingMessages, {
    router: matchingRouter(membership),
    serviceName: 'matching',
    interceptors: pipelines.sent('matching'),
    security,
  });
  return { history: resources.add(history), matching: resources.add(matching), attach: () => {} };
}

/** Each call is a function call; a service not hosted here answers UNIMPLEMENTED (only cluster mode reaches others). */
function inProcessClients(pipelines: Pipelines): InternalClients {
  const historyHandlers: AsyncHandlers<HistoryServiceServer> = {};
  const matchingHandlers: AsyncHandlers<MatchingServiceServer> = {};
  return {
    history: inProcessClient(HistoryServiceService, historyMessages, historyHandlers, {
      service: 'history',
      interceptors: pipelines.sent('history'),
      serverInterceptors: pipelines.served('history'),
    }),
    matching: inProcessClient(MatchingServiceService, matchingMessages, matchingHandlers, {
      service: 'matching',
      interceptors: pipelines.sent('matching'),
      serverInterceptors: pipelines.served('matching'),
    }),
    attach: (hosted) => {
      if (hosted.history) Object.assign(historyHandlers, hosted.history.handlers());
      if (hosted.matching) Object.assign(matchingHandlers, hosted.matching.handlers());
    },
  };
}

interface ServiceDeps extends Storage {
  config: TemporaConfig;
  logger: Logger;
  membership: Membership;
  identities: Record<ServiceName, string>;
  clients: InternalClients;
  namespaces: NamespaceRegistry;
  telemetry: Telemetry;
  limitStores: Security['limitStores'];
}

function hostServices(services: ServiceName[], deps: ServiceDeps): HostedServices {
  const { config, logger, visibility, cluster, layout, membership, identities, namespaces, telemetry } = deps;
  // Each service gets the stores and the internal clients measured under its own service_name, refusals of its QPS
  // budget included (the stores and clients themselves are shared).
  const clientsOf = (caller: ServiceName) => ({
    history: measureClient(deps.clients.history, {
      caller,
      target: 'history',
      definition: HistoryServiceService,
      metrics: telemetry.metrics,
      namespaceName: telemetry.namespaceName,
    }),
    matching: measureClient(deps.clients.matching, {
      caller,
      target: 'matching',
      definition: MatchingServiceService,
      metrics: telemetry.metrics,
      namespaceName: telemetry.namespaceName,
    }),
  });
  const common = (service: ServiceName) => ({
    config,
    logger,
    visibility,
    stores: instrumentStores(deps.limitStores(service, deps.stores), {
      service,
      metrics: telemetry.metrics,
      namespaceName: telemetry.namespaceName,
    }),
  });
  const hosts = (name: ServiceName) => services.includes(name);
  for (const service of services) telemetry.metrics.counter('restarts').add(1, { service_name: service });
  return {
    frontend: hosts('frontend')
      ? new FrontendService({
          ...common('frontend'),
          ...clientsOf('frontend'),
          namespaces,
          cluster,
          layout,
          membership,
        })
      : undefined,
    history: hosts('history')
      ? new HistoryService({
          ...common('history'),
          ...clientsOf('history'),
          namespaces,
          layout,
          membership,
          identity: identities.history,
          metrics: telemetry.metrics,
        })
      : undefined,
    matching: hosts('matching')
      ? new MatchingService({
          ...common('matching'),
          history: clientsOf('matching').history,
          membership,
          identity: identities.matching,
          metrics: telemetry.metrics,
          namespaceName: telemetry.namespaceName,
        })
      : undefined,
    worker: hosts('worker')
      ? new WorkerService({
          ...common('worker'),
          localFrontend: hosts('frontend'),
          namespaces,
          history: clientsOf('worker').history,
        })
      : undefined,
  };
}

async function startServices(hosted: HostedServices, services: ServiceName[], started: ServiceName[]): Promise<void> {
  for (const service of services) {
    await hosted[service]?.start();
    started.push(service);
  }
}

/** What a hosted service offers its gRPC server. */
interface Servable {
  readonly grpcServiceNames: string[];
  register(server: Server, interceptors?: readonly Interceptor[]): void;
}

interface Listener {
  service: ServiceName;
  server: Server;
  health: Health;
  grpcServiceNames: string[];
  port: number;
  /** The frontend's HTTP API, when it is on. */
  http?: { gateway: HttpGateway; port: number };
}

/** One gRPC server with health per listening service; in cluster mode each then joins its ring. */
async function listenAll(
  options: ProcessOptions,
  wiring: Wiring,
  logger: Logger,
  listeners: Listener[],
): Promise<void> {
  const { config } = options;
  const advertisedHost = config.broadcastAddress || config.bindIp;
  for (const service of options.services) {
    const host = wiring.hosted[service];
    if (!host || options.inProcessOnly?.includes(service)) continue;
    const listener = await openServer(service, host, config, wiring.pipelines.served(service), logger);
    listeners.push(listener);
    if (service === 'frontend' && wiring.hosted.frontend) {
      listener.http = await openHttpApi(options, wiring.hosted.frontend, wiring.pipelines.served(service), logger);
    }
    const identity = wiring.identities[service];
    logger.info({ service, address: `${config.bindIp}:${listener.port}`, identity }, `${service} listening`);
    // Joining the ring last: callers are routed here only once the server answers.
    if (isClustered(config)) {
      const address = `${advertisedHost}:${listener.port}`;
      await wiring.membership.register({ service, identity, address, startedTime: Date.now() });
    }
  }
}

async function openServer(
  service: ServiceName,
  host: Servable,
  config: TemporaConfig,
  interceptors: readonly Interceptor[],
  logger: Logger,
): Promise<Listener> {
  const server = createServer(config.limits.grpc);
  host.register(server, interceptors);
  const health = addHealthService(server, host.grpcServiceNames);
  // The frontend serves SDKs and the CLI (tls.frontend); the other services serve each other (tls.internode).
  const group = service === 'frontend' ? 'frontend' : 'internode';
  const credentials = serverCredentials(config.tls[group].server, {
    refreshMs: tlsRefreshIntervalMs(config),
    logger,
    name: `tls.${group}.server`,
  });
  const port = await listen(server, config.bindIp, config.services[service].grpcPort, credentials);
  setServing(health, host.grpcServiceNames, true);
  return { service, server, health, grpcServiceNames: host.grpcServiceNames, port };
}

/**
 * The frontend's HTTP API beside its gRPC port, on the same address and with the same TLS, running the frontend's
 * served pipeline (upstream binds it like the gRPC listener, on rpc.httpPort).
 */
async function openHttpApi(
  options: ProcessOptions,
  frontend: FrontendService,
  interceptors: readonly Interceptor[],
  logger: Logger,
): Promise<Listener['http']> {
  const { config } = options;
  const configured = config.services.frontend.httpPort;
  if (configured === 0 && !options.httpOnFreePort) return undefined;
  const gateway = new HttpGateway({
    services: frontend.httpServices(),
    interceptors,
    service: 'frontend',
    logger,
    serverVersion: SERVER_VERSION,
    tls: { config: config.tls.frontend.server, refreshMs: tlsRefreshIntervalMs(config) },
  });
  const port = await gateway.listen(config.bindIp, configured);
  logger.info({ address: `${config.bindIp}:${port}` }, 'frontend HTTP API listening');
  return { gateway, port };
}

/**
 * Graceful drain: leave the rings first so callers route to the next owners, release shards and queues (the next
 * owners acquire them as soon as they see this host leave), let in-flight calls finish, then close.
 */
async function drain(
  services: ServiceName[],
  wiring: Wiring,
  listeners: Listener[],
  resources: Resources,
  logger: Logger,
): Promise<void> {
  await wiring.membership.deregister();
  for (const l of listeners) setServing(l.health, l.grpcServiceNames, false);
  for (const service of [...services].reverse()) await wiring.hosted[service]?.stop();
  await Promise.all(
    listeners.flatMap((l) => [
      shutdown(l.server, SHUTDOWN_GRACE_MS),
      ...(l.http ? [l.http.gateway.close(SHUTDOWN_GRACE_MS)] : []),
    ]),
  );
  await resources.closeAll();
  logger.info('stopped');
}

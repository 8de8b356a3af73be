// Hosts a set of services in this process. Each service that listens gets its own gRPC server (with health) on its
// configured port; in start-dev only the frontend listens and the others are reached in process. With
// membership.redisUrl set (cluster mode) every listening service joins its ring in Redis and history and matching
// are called over gRPC on the host that owns each call; otherwise membership is in-process and so are the calls.
import type { Server } from '@grpc/grpc-js';
import { createLogger, type Logger, type ServiceName, type TemporaConfig } from '@tempora/common';
import { FrontendService } from '@tempora/frontend';
import { HistoryService } from '@tempora/history';
import { MatchingService } from '@tempora/matching';
import {
  LocalMembership,
  RedisMembership,
  historyRouter,
  matchingRouter,
  memberIdentity,
  type Membership,
} from '@tempora/membership';
import { NamespaceRegistry } from '@tempora/namespace';
import type { KeyspaceReplication, PersistenceStores } from '@tempora/persistence';
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
  createServer,
  inProcessClient,
  listen,
  routedClient,
  setServing,
  shutdown,
  type AsyncHandlers,
  type Health,
  type RpcClient,
} from '@tempora/rpc';
import { WorkerService } from '@tempora/worker';
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
}

export interface RunningProcess {
  readonly stores: PersistenceStores;
  readonly membership: Membership;
  /** Bound gRPC port per listening service. */
  readonly ports: Partial<Record<ServiceName, number>>;
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
    const storage = await openStorage(options, logger, resources);
    wiring = await wire(options, storage, logger, resources);
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

interface Storage {
  stores: PersistenceStores;
  visibility: VisibilityStore;
  cluster: ClusterMetadataRecord;
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
  return { stores, visibility, cluster };
}

interface HostedServices {
  frontend?: FrontendService;
  history?: HistoryService;
  matching?: MatchingService;
  worker?: WorkerService;
}

interface Wiring {
  membership: Membership;
  identities: Record<ServiceName, string>;
  hosted: HostedServices;
}

/** What this process runs: its membership, the clients the services call each other through, and the services. */
async function wire(options: ProcessOptions, storage: Storage, logger: Logger, resources: Resources): Promise<Wiring> {
  const { config, services } = options;
  const membership = resources.add(await connectMembership(config, logger));
  const identities = Object.fromEntries(services.map((s) => [s, memberIdentity(s)])) as Record<ServiceName, string>;
  const clustered = isClustered(config);
  const clients = clustered
    ? routedClients(membership, storage.cluster.historyShardCount, resources)
    : inProcessClients();
  if (!clustered) {
    // One process serves every shard and queue: its members are the whole ring from the start.
    for (const service of services) {
      await membership.register({ service, identity: identities[service], address: '', startedTime: Date.now() });
    }
  }
  const hosted = hostServices(services, { config, logger, ...storage, membership, identities, clients });
  clients.attach(hosted);
  return { membership, identities, hosted };
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
    ? RedisMembership.connect({ url: config.membership.redisUrl, clusterName: config.clusterName, logger })
    : Promise.resolve(new LocalMembership());
}

/** How the services reach history and matching. */
interface InternalClients {
  history: RpcClient<HistoryServiceServer>;
  matching: RpcClient<MatchingServiceServer>;
  /** Points in-process calls at the services hosted here. */
  attach(hosted: HostedServices): void;
}

/** Each call goes over gRPC to the member that owns its shard or task queue. */
function routedClients(membership: Membership, historyShardCount: number, resources: Resources): InternalClients {
  const history = routedClient<HistoryServiceServer>(HistoryServiceService, historyMessages, {
    router: historyRouter(membership, historyShardCount),
    serviceName: 'history',
  });
  const matching = routedClient<MatchingServiceServer>(MatchingServiceService, matchingMessages, {
    router: matchingRouter(membership),
    serviceName: 'matching',
  });
  return { history: resources.add(history), matching: resources.add(matching), attach: () => {} };
}

/** Each call is a function call; a service not hosted here answers UNIMPLEMENTED (only cluster mode reaches others). */
function inProcessClients(): InternalClients {
  const historyHandlers: AsyncHandlers<HistoryServiceServer> = {};
  const matchingHandlers: AsyncHandlers<MatchingServiceServer> = {};
  return {
    history: inProcessClient(HistoryServiceService, historyMessages, historyHandlers),
    matching: inProcessClient(MatchingServiceService, matchingMessages, matchingHandlers),
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
}

function hostServices(services: ServiceName[], deps: ServiceDeps): HostedServices {
  const { config, logger, stores, visibility, cluster, membership, identities } = deps;
  const { history, matching } = deps.clients;
  const common = { config, logger, stores, visibility };
  // One namespace cache per process: frontend writes invalidate what history reads.
  const namespaces = new NamespaceRegistry(stores.namespaces);
  const hosts = (name: ServiceName) => services.includes(name);
  return {
    frontend: hosts('frontend')
      ? new FrontendService({ ...common, namespaces, cluster, history, matching, membership })
      : undefined,
    history: hosts('history')
      ? new HistoryService({
          ...common,
          namespaces,
          matching,
          history,
          numHistoryShards: cluster.historyShardCount,
          membership,
          identity: identities.history,
        })
      : undefined,
    matching: hosts('matching')
      ? new MatchingService({ ...common, history, membership, identity: identities.matching })
      : undefined,
    worker: hosts('worker') ? new WorkerService({ ...common, localFrontend: hosts('frontend') }) : undefined,
  };
}

async function startServices(hosted: HostedServices, services: ServiceName[], started: ServiceName[]): Promise<void> {
  for (const service of services) {
    await hosted[service]?.start();
    started.push(service);
  }
}

interface Listener {
  service: ServiceName;
  server: Server;
  health: Health;
  grpcServiceNames: string[];
  port: number;
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
    const listener = await openServer(service, host, config);
    listeners.push(listener);
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
  host: NonNullable<HostedServices[ServiceName]>,
  config: TemporaConfig,
): Promise<Listener> {
  const server = createServer();
  host.register(server);
  const health = addHealthService(server, host.grpcServiceNames);
  const port = await listen(server, config.bindIp, config.services[service].grpcPort);
  setServing(health, host.grpcServiceNames, true);
  return { service, server, health, grpcServiceNames: host.grpcServiceNames, port };
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
  await Promise.all(listeners.map((l) => shutdown(l.server, SHUTDOWN_GRACE_MS)));
  await resources.closeAll();
  logger.info('stopped');
}

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
import type { VisibilityStore } from '@tempora/visibility';
import * as historyMessages from '@tempora/proto/generated/tempora/internal/v1/history_service';
import { HistoryServiceService, type HistoryServiceServer } from '@tempora/proto/generated/tempora/internal/v1/history_service';
import * as matchingMessages from '@tempora/proto/generated/tempora/internal/v1/matching_service';
import { MatchingServiceService, type MatchingServiceServer } from '@tempora/proto/generated/tempora/internal/v1/matching_service';
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

interface Listener {
  service: ServiceName;
  server: Server;
  health: Health;
  grpcServiceNames: string[];
  port: number;
}

export interface RunningProcess {
  readonly stores: PersistenceStores;
  readonly membership: Membership;
  /** Bound gRPC port per listening service. */
  readonly ports: Partial<Record<ServiceName, number>>;
  stop(): Promise<void>;
}

export async function startProcess(options: ProcessOptions): Promise<RunningProcess> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.log.level);
  const stores = await openStores(config, { setupCassandraSchema: options.setupCassandraSchema });
  const closers: (() => Promise<void>)[] = [() => stores.close()];
  try {
    const visibility: VisibilityStore = await openVisibility(config);
    closers.push(() => visibility.close());
    const cluster = await initializeCluster(stores, config);
    if (cluster.historyShardCount !== config.numHistoryShards) {
      logger.warn(
        { configured: config.numHistoryShards, stored: cluster.historyShardCount },
        'numHistoryShards is fixed at the first start; using the stored value',
      );
    }
    const deps = { config, logger, stores, visibility, namespaces: new NamespaceRegistry(stores.namespaces) };
    const clustered = Boolean(config.membership.redisUrl);
    const membership: Membership = clustered
      ? await RedisMembership.connect({ url: config.membership.redisUrl, clusterName: config.clusterName, logger })
      : new LocalMembership();
    closers.push(() => membership.close());
    const identities = Object.fromEntries(options.services.map((s) => [s, memberIdentity(s)])) as Record<ServiceName, string>;
    const hosts = (name: ServiceName) => options.services.includes(name);
    // Handler maps are filled once the services exist; in-process calls to a service not hosted here answer
    // UNIMPLEMENTED (only cluster mode can reach other processes).
    const historyHandlers: AsyncHandlers<HistoryServiceServer> = {};
    const matchingHandlers: AsyncHandlers<MatchingServiceServer> = {};
    let history: RpcClient<HistoryServiceServer>;
    let matching: RpcClient<MatchingServiceServer>;
    if (clustered) {
      const routedHistory = routedClient<HistoryServiceServer>(HistoryServiceService, historyMessages, {
        router: historyRouter(membership, cluster.historyShardCount),
        serviceName: 'history',
      });
      const routedMatching = routedClient<MatchingServiceServer>(MatchingServiceService, matchingMessages, {
        router: matchingRouter(membership),
        serviceName: 'matching',
      });
      closers.push(async () => routedHistory.close(), async () => routedMatching.close());
      history = routedHistory;
      matching = routedMatching;
    } else {
      history = inProcessClient(HistoryServiceService, historyMessages, historyHandlers);
      matching = inProcessClient(MatchingServiceService, matchingMessages, matchingHandlers);
      // One process serves every shard and queue: its members are the whole ring from the start.
      for (const service of options.services) {
        await membership.register({ service, identity: identities[service], address: '', startedTime: Date.now() });
      }
    }
    const hosted = {
      frontend: hosts('frontend') ? new FrontendService({ ...deps, cluster, history, matching, membership }) : undefined,
      history: hosts('history')
        ? new HistoryService({
            ...deps,
            matching,
            history,
            numHistoryShards: cluster.historyShardCount,
            membership,
            identity: identities.history,
          })
        : undefined,
      matching: hosts('matching') ? new MatchingService({ ...deps, history, membership, identity: identities.matching }) : undefined,
      worker: hosts('worker') ? new WorkerService(deps) : undefined,
    };
    if (hosted.history) Object.assign(historyHandlers, hosted.history.handlers());
    if (hosted.matching) Object.assign(matchingHandlers, hosted.matching.handlers());
    for (const service of options.services) await hosted[service]?.start();

    const listeners: Listener[] = [];
    const advertisedHost = config.broadcastAddress || config.bindIp;
    for (const service of options.services) {
      const host = hosted[service];
      if (!host || options.inProcessOnly?.includes(service)) continue;
      const server = createServer();
      host.register(server);
      const health = addHealthService(server, host.grpcServiceNames);
      const port = await listen(server, config.bindIp, config.services[service].grpcPort);
      setServing(health, host.grpcServiceNames, true);
      listeners.push({ service, server, health, grpcServiceNames: host.grpcServiceNames, port });
      logger.info({ service, address: `${config.bindIp}:${port}`, identity: identities[service] }, `${service} listening`);
      // Joining the ring last: callers are routed here only once the server answers.
      if (clustered) {
        await membership.register({ service, identity: identities[service], address: `${advertisedHost}:${port}`, startedTime: Date.now() });
      }
    }

    let stopping: Promise<void> | undefined;
    return {
      stores,
      membership,
      ports: Object.fromEntries(listeners.map((l) => [l.service, l.port])),
      // Graceful drain: leave the rings first so callers route to the next owners, release shards and queues (the
      // next owners acquire them as soon as they see this host leave), let in-flight calls finish, then close.
      stop: () =>
        (stopping ??= (async () => {
          await membership.deregister();
          for (const l of listeners) setServing(l.health, l.grpcServiceNames, false);
          for (const service of [...options.services].reverse()) await hosted[service]?.stop();
          await Promise.all(listeners.map((l) => shutdown(l.server, SHUTDOWN_GRACE_MS)));
          for (const close of closers.reverse()) await close();
          logger.info('stopped');
        })()),
    };
  } catch (err) {
    for (const close of closers.reverse()) await close();
    throw err;
  }
}

// Hosts a set of services in this process. Each service that listens gets its own gRPC server (with health) on its
// configured port; in start-dev only the frontend listens and the others are reached in process.
import type { Server } from '@grpc/grpc-js';
import { createLogger, type Logger, type ServiceName, type TemporaConfig } from '@tempora/common';
import { FrontendService } from '@tempora/frontend';
import { HistoryService } from '@tempora/history';
import { MatchingService } from '@tempora/matching';
import type { PersistenceStores } from '@tempora/persistence';
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
  setServing,
  shutdown,
  type AsyncHandlers,
  type Health,
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
  /** Bound gRPC port per listening service. */
  readonly ports: Partial<Record<ServiceName, number>>;
  stop(): Promise<void>;
}

export async function startProcess(options: ProcessOptions): Promise<RunningProcess> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.log.level);
  const stores = openStores(config);
  let visibility: VisibilityStore | undefined;
  try {
    visibility = await openVisibility(config);
    const cluster = await initializeCluster(stores, config);
    if (cluster.historyShardCount !== config.numHistoryShards) {
      logger.warn(
        { configured: config.numHistoryShards, stored: cluster.historyShardCount },
        'numHistoryShards is fixed at the first start; using the stored value',
      );
    }
    const deps = { config, logger, stores, visibility };
    // Services in this process call each other through the same client interfaces cluster mode serves over gRPC.
    // The handler maps are filled once the services exist; a service not hosted here answers UNIMPLEMENTED until
    // cross-process routing lands with membership.
    const historyHandlers: AsyncHandlers<HistoryServiceServer> = {};
    const matchingHandlers: AsyncHandlers<MatchingServiceServer> = {};
    const history = inProcessClient(HistoryServiceService, historyMessages, historyHandlers);
    const matching = inProcessClient(MatchingServiceService, matchingMessages, matchingHandlers);
    const hosts = (name: ServiceName) => options.services.includes(name);
    const hosted = {
      frontend: hosts('frontend') ? new FrontendService({ ...deps, cluster, history, matching }) : undefined,
      history: hosts('history')
        ? new HistoryService({ ...deps, matching, history, numHistoryShards: cluster.historyShardCount })
        : undefined,
      matching: hosts('matching') ? new MatchingService({ ...deps, history }) : undefined,
      worker: hosts('worker') ? new WorkerService(deps) : undefined,
    };
    if (hosted.history) Object.assign(historyHandlers, hosted.history.handlers());
    if (hosted.matching) Object.assign(matchingHandlers, hosted.matching.handlers());
    for (const service of options.services) await hosted[service]?.start();

    const listeners: Listener[] = [];
    for (const service of options.services) {
      const host = hosted[service];
      if (!host || options.inProcessOnly?.includes(service)) continue;
      const server = createServer();
      host.register(server);
      const health = addHealthService(server, host.grpcServiceNames);
      const port = await listen(server, config.bindIp, config.services[service].grpcPort);
      setServing(health, host.grpcServiceNames, true);
      listeners.push({ service, server, health, grpcServiceNames: host.grpcServiceNames, port });
      logger.info({ service, address: `${config.bindIp}:${port}` }, `${service} listening`);
    }

    let stopping: Promise<void> | undefined;
    return {
      stores,
      ports: Object.fromEntries(listeners.map((l) => [l.service, l.port])),
      stop: () =>
        (stopping ??= (async () => {
          for (const l of listeners) setServing(l.health, l.grpcServiceNames, false);
          await Promise.all(listeners.map((l) => shutdown(l.server, SHUTDOWN_GRACE_MS)));
          for (const service of [...options.services].reverse()) await hosted[service]?.stop();
          await visibility!.close();
          await stores.close();
          logger.info('stopped');
        })()),
    };
  } catch (err) {
    await visibility?.close();
    await stores.close();
    throw err;
  }
}

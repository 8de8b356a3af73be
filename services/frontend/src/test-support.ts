// A FrontendService on an in-memory store with fake history and matching clients, for the handler tests.
import { randomBytes, randomUUID } from 'node:crypto';
import { createLogger, defaultConfig, SERVER_VERSION } from '@tempora/common';
import { LocalMembership, ShardLayout } from '@tempora/membership';
import { NamespaceRegistry } from '@tempora/namespace';
import { openSqliteStores, type PersistenceStores } from '@tempora/persistence';
import type { HistoryServiceServer, MatchingServiceServer } from '@tempora/proto/internal';
import type { WorkflowServiceServer } from '@tempora/proto/workflowservice';
import { ClusterMetadataRecord } from '@tempora/proto/persistence';
import {
  Code,
  localCallContext,
  type AsyncHandlers,
  type CallContext,
  type CallOptions,
  type RpcClient,
} from '@tempora/rpc';
import { openSqliteVisibilityStore, type VisibilityStore } from '@tempora/visibility';
import { FrontendService } from './index.js';

export interface RecordedCall {
  method: string;
  request: unknown;
  options: CallOptions | undefined;
}

type Answers<S> = { [K in keyof RpcClient<S>]?: (request: Parameters<RpcClient<S>[K]>[0]) => unknown };

/** Records every call; a method answers through `answers` when a test set one, else with an empty message. */
export class FakeClient<S> {
  readonly calls: RecordedCall[] = [];
  readonly answers: Answers<S> = {};
  readonly client = new Proxy({} as RpcClient<S>, {
    get: (_, method: string) => async (request: unknown, options?: CallOptions) => {
      this.calls.push({ method, request, options });
      const answer = (this.answers as Record<string, ((request: unknown) => unknown) | undefined>)[method];
      return answer ? answer(request) : {};
    },
  });
}

export interface TestFrontend {
  handlers: Required<AsyncHandlers<WorkflowServiceServer>>;
  history: FakeClient<HistoryServiceServer>;
  matching: FakeClient<MatchingServiceServer>;
  stores: PersistenceStores;
  visibility: VisibilityStore;
  /** Ids of the namespaces registered at start: 'default' and 'other'. */
  namespaceIds: Record<'default' | 'other', string>;
  close(): Promise<void>;
}

export async function startTestFrontend(): Promise<TestFrontend> {
  const stores = openSqliteStores();
  const visibility = openSqliteVisibilityStore();
  const config = { ...defaultConfig(), namespaces: ['default', 'other'] };
  const history = new FakeClient<HistoryServiceServer>();
  const matching = new FakeClient<MatchingServiceServer>();
  const cluster = ClusterMetadataRecord.fromPartial({
    clusterName: config.clusterName,
    clusterId: randomUUID(),
    historyShardCount: config.numHistoryShards,
    serverVersion: SERVER_VERSION,
    initializedTime: new Date(),
    pageTokenSecret: randomBytes(32),
  });
  const service = new FrontendService({
    config,
    logger: createLogger('silent'),
    stores,
    cluster,
    layout: new ShardLayout(cluster),
    history: history.client,
    matching: matching.client,
    visibility,
    membership: new LocalMembership(),
    namespaces: new NamespaceRegistry(stores.namespaces),
  });
  await service.start();
  const idOf = async (name: string) => (await stores.namespaces.getNamespaceByName(name))!.info!.id;
  return {
    // Every handler under test is registered; a missing one fails the test that calls it.
    handlers: service.workflowServiceHandlers() as Required<AsyncHandlers<WorkflowServiceServer>>,
    history,
    matching,
    stores,
    visibility,
    namespaceIds: { default: await idOf('default'), other: await idOf('other') },
    close: async () => {
      await visibility.close();
      await stores.close();
    },
  };
}

/** A call context as serveService builds it, for a caller with the given client name and deadline. */
export function callContext(method: string, options: { clientName?: string; deadline?: number } = {}): CallContext {
  const call = localCallContext(`WorkflowService/${method}`, options.deadline);
  return options.clientName === undefined ? call : { ...call, clientName: options.clientName };
}

/** What a handler rejects a bad request with, for toMatchObject. */
export function invalidArgumentStatus(message: string) {
  return { code: Code.INVALID_ARGUMENT, message };
}

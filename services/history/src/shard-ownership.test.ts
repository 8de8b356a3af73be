// Shard fencing: two history hosts that both believe they own a shard (their ring views disagree, as during a
// membership change) share one store. The one that acquired last wins; every write of the stale owner is rejected
// by the store, whatever the timing, and the stale owner closes the shard.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createLogger, defaultConfig } from '@tempora/common';
import { LocalMembership, ShardLayout } from '@tempora/membership';
import { NamespaceRegistry } from '@tempora/namespace';
import { ShardOwnershipLostError, openSqliteStores, type PersistenceStores } from '@tempora/persistence';
import * as historyMessages from '@tempora/proto/internal';
import {
  HistoryServiceService,
  type HistoryServiceServer,
  MatchingServiceService,
  type MatchingServiceServer,
} from '@tempora/proto/internal';
import * as matchingMessages from '@tempora/proto/internal';
import { ClusterMetadataRecord } from '@tempora/proto/persistence';
import { Code, inProcessClient, isOwnershipLost } from '@tempora/rpc';
import { openSqliteVisibilityStore } from '@tempora/visibility';
import { HistoryService } from './index.js';
import { describeThrough, startThrough } from './test-support.js';
import { Shard } from './shard.js';

const logger = createLogger('silent');
const namespaceId = 'ns-1';
const matching = inProcessClient<MatchingServiceServer>(MatchingServiceService, matchingMessages, {
  addWorkflowTask: async () => ({}),
  addActivityTask: async () => ({}),
});

async function historyHost(stores: PersistenceStores, identity: string): Promise<HistoryService> {
  const membership = new LocalMembership();
  await membership.register({ service: 'history', identity, address: '', startedTime: Date.now() });
  // Calls to other runs are not part of these scenarios: an empty in-process history answers UNIMPLEMENTED.
  const history = inProcessClient<HistoryServiceServer>(HistoryServiceService, historyMessages, {});
  const config = defaultConfig();
  // Each host's ring names only itself: its periodic check would take the shard back (in a cluster the rings
  // converge first). Out of these scenarios' reach, so they do not depend on that check's timing.
  config.services.history.shardCheckIntervalMs = 600_000;
  const host = new HistoryService({
    config,
    logger,
    stores,
    matching,
    history,
    layout: new ShardLayout(ClusterMetadataRecord.fromPartial({ historyShardCount: 1 })),
    membership,
    identity,
    visibility: openSqliteVisibilityStore(),
    namespaces: new NamespaceRegistry(stores.namespaces),
  });
  await host.start();
  return host;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

describe('history shard ownership', () => {
  let stores: PersistenceStores;
  const hosts: HistoryService[] = [];

  beforeEach(() => {
    stores = openSqliteStores();
  });

  afterEach(async () => {
    for (const host of hosts.splice(0)) await host.stop();
    await stores.close();
  });

  const start = (host: HistoryService, workflowId: string) => startThrough(host, namespaceId, workflowId);
  const describeRun = (host: HistoryService, workflowId: string) => describeThrough(host, namespaceId, workflowId);

  it("rejects a stale owner's write in the store and closes its shard", async () => {
    const stale = await historyHost(stores, 'history-a');
    hosts.push(stale);
    await start(stale, 'before-takeover');

    const current = await historyHost(stores, 'history-b');
    hosts.push(current);
    expect(await stores.shards.getOrCreateShard(1)).toMatchObject({ owner: 'history-b', rangeId: 2 });

    // history-a still sees itself as the owner: its write reaches the store and is rejected there.
    const err = await failure(start(stale, 'after-takeover'));
    expect(isOwnershipLost(err)).toBe(true);
    expect((err as { code: number }).code).toBe(Code.UNAVAILABLE);
    // Nothing of the rejected write exists; the new owner serves the earlier workflow.
    expect(((await failure(describeRun(current, 'after-takeover'))) as { code: number }).code).toBe(Code.NOT_FOUND);
    await expect(describeRun(current, 'before-takeover')).resolves.toBeDefined();
    // The stale owner closed the shard: it answers "not the owner" without touching the store.
    expect(isOwnershipLost(await failure(describeRun(stale, 'before-takeover')))).toBe(true);
    await expect(start(current, 'after-takeover')).resolves.toBeDefined();
  });

  it('never lets a stale owner take the shard back by renewing its task-id range', async () => {
    const stale = await Shard.acquire(1, stores, logger, 'history-a');
    await Shard.acquire(1, stores, logger, 'history-b');
    await stale.allocateTaskIds(2 ** 20); // the whole range: the next allocation must renew
    await expect(stale.allocateTaskIds(1)).rejects.toBeInstanceOf(ShardOwnershipLostError);
    expect(stale.closed).toBe(true);
    expect(await stores.shards.getOrCreateShard(1)).toMatchObject({ owner: 'history-b', rangeId: 2 });
  });
});

// A call for a shard while this host splits it waits for the split instead of failing, then reaches the run on the
// shard it lives on now: the history service as one process runs it (start-dev), on a real SQLite store, with the
// split held half-way by a gated import.
import { afterEach, describe, expect, it } from '@jest/globals';
import { createLogger, defaultConfig } from '@tempora/common';
import { LocalMembership, ShardLayout, shardIdFor } from '@tempora/membership';
import { NamespaceRegistry } from '@tempora/namespace';
import { openSqliteStores, type PersistenceStores } from '@tempora/persistence';
import * as messages from '@tempora/proto/internal';
import {
  HistoryServiceService,
  type HistoryServiceServer,
  MatchingServiceService,
  type MatchingServiceServer,
} from '@tempora/proto/internal';
import { ClusterMetadataRecord } from '@tempora/proto/persistence';
import { inProcessClient } from '@tempora/rpc';
import { openSqliteVisibilityStore } from '@tempora/visibility';
import { HistoryService } from './index.js';
import { describeThrough, startThrough } from './test-support.js';

const namespaceId = 'ns-1';
const workflowIds = Array.from({ length: 12 }, (_, i) => `run-${i}`);

describe('calls during a shard split', () => {
  let stores: PersistenceStores;
  let host: HistoryService;
  afterEach(async () => {
    await host.stop();
    await stores.close();
  });

  it('wait for the split, then reach each run on its shard', async () => {
    stores = openSqliteStores();
    const record = await stores.clusterMetadata.initializeClusterMetadata(
      ClusterMetadataRecord.fromPartial({ clusterName: 'c', historyShardCount: 1 }),
    );
    const layout = new ShardLayout(record);
    // The split's first import waits for the gate.
    let openGate = () => {};
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let importStarted = () => {};
    const importing = new Promise<void>((resolve) => (importStarted = resolve));
    const importExecutions = stores.executions.importExecutions.bind(stores.executions);
    stores.executions.importExecutions = async (request) => {
      importStarted();
      await gate;
      return importExecutions(request);
    };
    const membership = new LocalMembership();
    await membership.register({ service: 'history', identity: 'history-a', address: '', startedTime: Date.now() });
    const matching = inProcessClient<MatchingServiceServer>(MatchingServiceService, messages, {
      addWorkflowTask: async () => ({}),
      addActivityTask: async () => ({}),
    });
    host = new HistoryService({
      config: defaultConfig(),
      logger: createLogger('silent'),
      stores,
      matching,
      history: inProcessClient<HistoryServiceServer>(HistoryServiceService, messages, {}),
      layout,
      membership,
      identity: 'history-a',
      visibility: openSqliteVisibilityStore(),
      namespaces: new NamespaceRegistry(stores.namespaces),
    });
    await host.start();
    for (const workflowId of workflowIds) await startThrough(host, namespaceId, workflowId);
    const describeRun = (workflowId: string) =>
      describeThrough(host, namespaceId, workflowId).then(
        (answer) => answer.response?.workflowExecutionInfo?.execution?.workflowId,
      );

    const reshard = ClusterMetadataRecord.fromPartial({
      ...record,
      version: 1,
      reshard: { fromShardCount: 1, toShardCount: 2, splitShards: [], startedTime: new Date() },
    });
    await stores.clusterMetadata.updateClusterMetadata(reshard, 0);
    layout.update(reshard);
    await importing;
    // Shard 1 is released now, half-way through its split: these calls must wait, not fail.
    const moved = workflowIds.find((id) => shardIdFor(namespaceId, id, 2) === 2)!;
    const stayed = workflowIds.find((id) => shardIdFor(namespaceId, id, 2) === 1)!;
    let answered = 0;
    const calls = [describeRun(moved), describeRun(stayed)].map((call) => call.finally(() => answered++));
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(0);
    openGate();
    expect(await Promise.all(calls)).toEqual([moved, stayed]);
    expect(layout.isSplit(1)).toBe(false);
    // The last split of the reshard finished it: 2 shards now, both served here.
    expect(layout.baseShardCount).toBe(2);
    expect(await Promise.all(workflowIds.map(describeRun))).toEqual(workflowIds);
  });
});

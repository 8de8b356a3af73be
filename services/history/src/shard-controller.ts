// Owns this host's history shards. In start-dev (and until membership lands) one host owns every shard; the same
// range-id fencing runs as in a cluster, so the single process exercises the distributed write path.
import type { Logger } from '@tempora/common';
import type { PersistenceStores } from '@tempora/persistence';
import type { HistoryServiceServer } from '@tempora/proto/generated/tempora/internal/v1/history_service';
import type { MatchingServiceServer } from '@tempora/proto/generated/tempora/internal/v1/matching_service';
import type { RpcClient } from '@tempora/rpc';
import { EventNotifier } from './event-notifier.js';
import { ExecutionManager } from './execution-manager.js';
import type { NamespaceNames } from './namespace-names.js';
import { TimerQueue } from './queues/timer-queue.js';
import { timerExecutor } from './queues/timer-executor.js';
import { TransferQueue } from './queues/transfer-queue.js';
import { transferExecutor } from './queues/transfer-executor.js';
import { Shard } from './shard.js';
import { VisibilityQueue } from './queues/visibility-queue.js';
import type { VisibilityStore } from '@tempora/visibility';

export interface ShardEngine {
  shard: Shard;
  executions: ExecutionManager;
  notifier: EventNotifier;
  transfer: TransferQueue;
  timers: TimerQueue;
  visibility: VisibilityQueue;
}

/** FNV-1a over namespace id and workflow id: stable across processes and releases. */
export function shardIdFor(namespaceId: string, workflowId: string, numShards: number): number {
  let hash = 0x811c9dc5;
  const text = `${namespaceId}_${workflowId}`;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % numShards) + 1;
}

export class ShardController {
  private readonly engines = new Map<number, ShardEngine>();

  constructor(
    private readonly numShards: number,
    private readonly stores: PersistenceStores,
    private readonly matching: RpcClient<MatchingServiceServer>,
    private readonly logger: Logger,
    private readonly owner: string,
    private readonly history: RpcClient<HistoryServiceServer>,
    private readonly namespaces: NamespaceNames,
    private readonly visibilityStore: VisibilityStore,
  ) {}

  async start(): Promise<void> {
    for (let shardId = 1; shardId <= this.numShards; shardId++) {
      const shard = await Shard.acquire(shardId, this.stores, this.logger, this.owner);
      const notifier = new EventNotifier();
      // The queues need the execution manager and it needs them: wire through the listener object.
      const listener = {
        transferTasksWritten: () => transfer.notify(),
        timerTasksWritten: (t: number) => timers.notify(t),
        visibilityTasksWritten: () => visibility.notify(),
      };
      const executions = new ExecutionManager(shard, this.stores, notifier, listener, this.logger);
      const crossRun = { executions, history: this.history, namespaces: this.namespaces, stores: this.stores, shardId };
      const transfer = new TransferQueue(shard, this.stores, transferExecutor(this.matching, crossRun), this.logger);
      const timers = new TimerQueue(shard, this.stores, timerExecutor(executions), this.logger);
      const visibility = new VisibilityQueue(shard, this.stores, executions, this.visibilityStore, this.logger);
      this.engines.set(shardId, { shard, executions, notifier, transfer, timers, visibility });
      transfer.notify();
      visibility.notify();
      timers.start();
    }
  }

  engineFor(namespaceId: string, workflowId: string): ShardEngine {
    const engine = this.engines.get(shardIdFor(namespaceId, workflowId, this.numShards));
    if (!engine) throw new Error('history shards are not started');
    engine.shard.assertOpen();
    return engine;
  }

  stop(): void {
    for (const engine of this.engines.values()) {
      engine.transfer.stop();
      engine.timers.stop();
      engine.visibility.stop();
      engine.notifier.notifyAll();
    }
  }
}

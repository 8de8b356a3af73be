// Owns this host's history shards: those the history ring assigns to this member. On every ring change (and on a
// periodic check) it acquires newly assigned shards, which bumps their range id and so fences off the previous
// owner's writes, and releases shards assigned elsewhere. A shard whose write found the range id moved was taken
// by another host: it is closed and, if the ring still says it is ours, re-acquired on the next check.
import { durationToMs, type Logger } from '@tempora/common';
import { shardIdFor, shardRingKey, type Membership, type ShardLayout } from '@tempora/membership';
import type { HistoryTask, PersistenceStores } from '@tempora/persistence';
import type { HistoryServiceServer, MatchingServiceServer } from '@tempora/proto/internal';
import { ownershipLost, RpcError, type RpcClient } from '@tempora/rpc';
import { traceTasks } from '@tempora/telemetry';
import type { VisibilityStore } from '@tempora/visibility';
import { HistoryMetrics, timerTaskType, transferTaskType, visibilityTaskType } from './engine-metrics.js';
import { EventNotifier } from './event-notifier.js';
import { ExecutionManager, type HistoryLimits } from './execution-manager.js';
import type { GroupCommitLimits } from './group-commit.js';
import type { HistoryNodeCache } from './history-node-cache.js';
import { Mutex } from './mutex.js';
import type { NamespaceRegistry } from '@tempora/namespace';
import { DeletionPacer, retentionExecutor } from './queues/retention-executor.js';
import { recoverStickyWorkflowTasks } from './queues/sticky-recovery.js';
import { TimerQueue } from './queues/timer-queue.js';
import { timerExecutor } from './queues/timer-executor.js';
import { TransferQueue } from './queues/transfer-queue.js';
import { VisibilityQueue } from './queues/visibility-queue.js';
import { transferExecutor } from './queues/transfer-executor.js';
import {
  deleteMovedExecutions,
  prepareSplit,
  resumeCommittedSplit,
  splitShard,
  type PreparedSplit,
  type ReshardDeps,
} from './resharding.js';
import { isNotFound } from './rpc-codes.js';
import { Shard } from './shard.js';

export { shardIdFor };

export interface ShardEngine {
  shard: Shard;
  /** The shard holds the executions with hash mod shardCount + 1 == its id. */
  shardCount: number;
  executions: ExecutionManager;
  notifier: EventNotifier;
  transfer: TransferQueue;
  timers: TimerQueue;
  retention: TimerQueue;
  visibility: VisibilityQueue;
}

export interface ShardControllerOptions {
  /** Which shards hold executions; a reshard changes it, and this host splits the old shards it owns. */
  layout: ShardLayout;
  stores: PersistenceStores;
  matching: RpcClient<MatchingServiceServer>;
  /** History itself, for runs reaching runs on other shards. */
  history: RpcClient<HistoryServiceServer>;
  namespaces: NamespaceRegistry;
  logger: Logger;
  membership: Membership;
  /** This host's identity on the history ring; also recorded as the shard's owner in the store. */
  identity: string;
  /** Where the visibility queues write. */
  visibility: VisibilityStore;
  /** Closed runs this host deletes per second at the end of their retention (0 = no limit). */
  retentionDeletesPerSecond: number;
  metrics?: HistoryMetrics;
  /** History size and event count limits every run's writes are checked against. */
  historyLimits?: HistoryLimits;
  /** The history service's cache of recent batches, told when shards come and go. */
  historyNodes?: HistoryNodeCache;
  /** services.history.groupCommit; the defaults when absent. */
  groupCommit?: GroupCommitLimits;
  /**
   * services.history.shardCheckIntervalMs: between ring changes, catches shards closed by a fenced write,
   * acquisitions that failed, and shards another host took while this one was not writing to them.
   */
  shardCheckIntervalMs: number;
}

/** A call for a shard this host is splitting now: `settled` resolves once the shard is served again. */
export class ShardSplitInProgressError extends RpcError {
  constructor(
    shardId: number,
    identity: string,
    readonly settled: Promise<void>,
  ) {
    const lost = ownershipLost(`shard ${shardId} is being split`, '', identity);
    super(lost.code, lost.message, lost.detail);
  }
}

export class ShardController {
  private readonly engines = new Map<number, ShardEngine>();
  private readonly reconcileLock = new Mutex();
  private readonly layout: ShardLayout;
  /** Shards being split, with what resolves once each is served again. */
  private readonly moving = new Map<number, Promise<void>>();
  private splitting = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  private readonly metrics: HistoryMetrics;
  /** One per host: the deletion rate is the host's, whatever the number of shards it owns. */
  private readonly deletionPacer: DeletionPacer;

  constructor(private readonly options: ShardControllerOptions) {
    this.layout = options.layout;
    this.metrics = options.metrics ?? new HistoryMetrics();
    this.deletionPacer = new DeletionPacer(options.retentionDeletesPerSecond);
  }

  /** Acquires the shards the ring assigns here now, then follows ring changes. */
  async start(): Promise<void> {
    const stopRing = this.options.membership.onChange((service) => {
      if (service === 'history') void this.reconcile();
    });
    const stopLayout = this.layout.onChange(() => void this.reconcile());
    this.unsubscribe = () => {
      stopRing();
      stopLayout();
    };
    this.timer = setInterval(() => void this.reconcile(true), this.options.shardCheckIntervalMs).unref();
    await this.reconcile();
  }

  engineFor(namespaceId: string, workflowId: string): ShardEngine {
    const shardId = this.layout.shardFor(namespaceId, workflowId);
    const moving = this.moving.get(shardId);
    if (moving) throw new ShardSplitInProgressError(shardId, this.options.identity, moving);
    const engine = this.engines.get(shardId);
    // The hash check catches a layout older than the shard's own row: a split shard no longer holds what moved.
    if (!engine || engine.shard.closed || shardIdFor(namespaceId, workflowId, engine.shardCount) !== shardId) {
      const owner = this.options.membership.owner('history', shardRingKey(shardId));
      throw ownershipLost(`shard ${shardId} is not owned by this host`, owner?.address ?? '', this.options.identity);
    }
    return engine;
  }

  /** Whether a shard split runs on this host now. */
  get splitInProgress(): boolean {
    return this.moving.size > 0;
  }

  /** Resolves once the splits running now have finished and their shards are served again. */
  async splitsSettled(): Promise<void> {
    await Promise.all(this.moving.values());
  }

  /** Shard ids this host serves now. */
  ownedShards(): number[] {
    return [...this.engines.entries()]
      .filter(([, e]) => !e.shard.closed)
      .map(([id]) => id)
      .sort((a, b) => a - b);
  }

  /** Stops acquiring and releases every shard (graceful drain: the next owners take over at once). */
  stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearInterval(this.timer);
    return this.reconcileLock.run(() => {
      for (const shardId of [...this.engines.keys()]) this.release(shardId);
    });
  }

  private assignedHere(shardId: number): boolean {
    return this.options.membership.owner('history', shardRingKey(shardId))?.identity === this.options.identity;
  }

  private reconcile(verifyOwnership = false): Promise<void> {
    return this.reconcileLock.run(async () => {
      if (this.stopped) return;
      if (verifyOwnership) await this.closeShardsTakenElsewhere();
      for (const [shardId, engine] of [...this.engines]) {
        if (engine.shard.closed || !this.assignedHere(shardId)) this.release(shardId);
      }
      // An incomplete registry (Redis just came back empty) would hand this host shards that live hosts own.
      if (this.options.membership.settling) return;
      const wanted = this.layout
        .liveShards()
        .filter((shardId) => !this.engines.has(shardId) && !this.moving.has(shardId) && this.assignedHere(shardId));
      await Promise.all(
        wanted.map((shardId) =>
          this.acquire(shardId).catch((err: unknown) =>
            this.options.logger.warn({ err, shardId }, 'acquiring shard failed; retrying on the next check'),
          ),
        ),
      );
      if (wanted.length)
        this.options.logger.info({ acquired: wanted, owned: this.ownedShards() }, 'acquired history shards');
      if (this.layout.reshard) void this.splitOwnedShards();
    });
  }

  private get reshardDeps(): ReshardDeps {
    const { stores, logger, identity } = this.options;
    return { stores, logger, identity, layout: this.layout, metrics: this.metrics };
  }

  /** Splits, one at a time, the old shards of the reshard in progress that this host owns. */
  private async splitOwnedShards(): Promise<void> {
    if (this.splitting) return;
    this.splitting = true;
    try {
      for (;;) {
        const reshard = this.layout.reshard;
        if (!reshard || this.stopped) return;
        const next = [...this.engines.entries()].find(
          ([id, engine]) => id <= reshard.fromShardCount && !this.layout.isSplit(id) && !engine.shard.closed,
        );
        if (!next) return;
        if (!(await this.split(next[0]))) return;
      }
    } finally {
      this.splitting = false;
    }
  }

  /** Whether the split succeeded; a failed one is tried again after the next shard check. */
  private async split(shardId: number): Promise<boolean> {
    const { logger } = this.options;
    let prepared: PreparedSplit | undefined;
    try {
      prepared = await prepareSplit(this.reshardDeps, shardId);
    } catch (err) {
      logger.warn({ err, shardId }, 'preparing a shard split failed; retrying after the next shard check');
      return false;
    }
    if (!prepared) return true;
    const engine = this.engines.get(shardId);
    if (!engine || engine.shard.closed || !this.assignedHere(shardId) || this.stopped) {
      for (const target of prepared.targets) target.close(false);
      return false;
    }
    let settle = () => {};
    this.moving.set(shardId, new Promise<void>((resolve) => (settle = resolve)));
    try {
      await this.reconcileLock.run(async () => this.release(shardId));
      await splitShard(this.reshardDeps, prepared);
      return true;
    } catch (err) {
      logger.warn({ err, shardId }, 'splitting shard failed; retrying after the next shard check');
      return false;
    } finally {
      this.moving.delete(shardId);
      // Serve the shard (and the targets the ring assigns here) again before the calls waiting on it retry.
      await this.reconcile().catch(() => {});
      settle();
    }
  }

  private async closeShardsTakenElsewhere(): Promise<void> {
    for (const engine of this.engines.values()) {
      try {
        const stored = await this.options.stores.shards.getOrCreateShard(engine.shard.shardId);
        // The owner column, not the range id: a renewal of our own range moves the range id too.
        if (stored.owner !== this.options.identity) engine.shard.close();
      } catch (err) {
        this.options.logger.warn({ err, shardId: engine.shard.shardId }, 'checking shard ownership failed');
      }
    }
  }

  private async acquire(shardId: number): Promise<void> {
    const { stores, logger, matching, history, namespaces, identity } = this.options;
    const { metrics } = this;
    const started = performance.now();
    const shard = await Shard.acquire(shardId, stores, logger, identity);
    this.options.historyNodes?.dropShard(shardId);
    // A split committed in the shard's row: record it and drop the moved tasks before serving; the moved rows are
    // deleted once it serves.
    const cleanupPending = shard.record.cleanupPending;
    if (cleanupPending) await resumeCommittedSplit(this.reshardDeps, shard);
    if (this.stopped) {
      shard.close(false);
      return;
    }
    const notifier = new EventNotifier();
    // The queues need the execution manager and it needs them: wire through the listener object.
    const listener = {
      tasksCommitted: (tasks: readonly HistoryTask[]) => {
        transfer.record(tasks.filter((task) => task.category === 'transfer'));
        visibility.record(tasks.filter((task) => task.category === 'visibility'));
        timers.record(tasks.filter((task) => task.category === 'timer'));
        retention.record(tasks.filter((task) => task.category === 'retention'));
      },
      writeOutcomeUnknown: () => {
        transfer.readStoreAgain();
        visibility.readStoreAgain();
        timers.readStoreAgain();
        retention.readStoreAgain();
      },
      transferTasksWritten: () => transfer.notify(),
      timerTasksWritten: (t: number) => timers.notify(t),
      retentionTasksWritten: (t: number) => retention.notify(t),
      visibilityTasksWritten: () => visibility.notify(),
    };
    const retentionOf = async (namespaceId: string) => {
      const record = await namespaces.getById(namespaceId).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
      const ttl = record?.config?.workflowExecutionRetentionTtl;
      return ttl ? durationToMs(ttl) : undefined;
    };
    const executions = new ExecutionManager(
      shard,
      stores,
      notifier,
      listener,
      logger,
      metrics,
      retentionOf,
      this.options.historyLimits,
      this.options.groupCommit,
    );
    const crossRun = { executions, history, namespaces, stores, shardId };
    const transferTasks = metrics.measureExecutor(
      transferTaskType,
      traceTasks('history', 'TransferActiveTask', transferExecutor(matching, crossRun)),
    );
    const transfer = new TransferQueue(shard, stores, transferTasks, logger);
    const timers = new TimerQueue(
      shard,
      stores,
      metrics.measureExecutor(timerTaskType, timerExecutor(executions)),
      logger,
    );
    const retention = new TimerQueue(
      shard,
      stores,
      metrics.measureExecutor(timerTaskType, retentionExecutor(executions, this.deletionPacer)),
      logger,
      'retention',
    );
    const visibility = new VisibilityQueue(
      shard,
      stores,
      namespaces,
      executions,
      this.options.visibility,
      logger,
      (page) => metrics.measurePages(visibilityTaskType, page),
    );
    const shardCount = shard.record.shardCount || this.layout.baseShardCount;
    this.engines.set(shardId, { shard, shardCount, executions, notifier, transfer, timers, retention, visibility });
    metrics.shardAcquired(performance.now() - started, this.engines.size);
    transfer.notify();
    visibility.notify();
    timers.start();
    retention.start();
    if (cleanupPending) {
      void deleteMovedExecutions(this.reshardDeps, shard).catch((err: unknown) =>
        logger.warn({ err, shardId }, 'deleting the runs a split moved away failed; the next acquisition retries'),
      );
    }
    // In the background: the shard serves calls meanwhile, and a failure only leaves the sticky timers to act.
    void recoverStickyWorkflowTasks({ shard, stores, executions, matching, logger }).then(
      (dispatched) => {
        if (dispatched)
          logger.info({ shardId, dispatched }, 'dispatched sticky workflow tasks of earlier owners again');
      },
      (err: unknown) => logger.warn({ err, shardId }, 'dispatching sticky workflow tasks of earlier owners failed'),
    );
  }

  /** Stops the shard's queues and drops its state; later calls for it answer "not the owner". */
  private release(shardId: number): void {
    const engine = this.engines.get(shardId);
    if (!engine) return;
    this.engines.delete(shardId);
    engine.shard.close(false);
    this.options.historyNodes?.dropShard(shardId);
    engine.transfer.stop();
    engine.timers.stop();
    engine.retention.stop();
    engine.visibility.stop();
    engine.notifier.notifyAll();
    this.metrics.shardReleased(this.engines.size);
    this.options.logger.info({ shardId }, 'released history shard');
  }
}

// A history shard as owned by this host: its range id (the fencing token every write is conditioned on) and the
// task ids it hands out. Task ids are unique and increasing per shard: rangeId * 2^20 + sequence.
import type { Logger } from '@tempora/common';
import { ShardOwnershipLostError, type PersistenceStores, type ScheduledTaskCategory } from '@tempora/persistence';
import { ShardRecord } from '@tempora/proto/persistence';
import { RpcError, ownershipLost } from '@tempora/rpc';
import { Mutex } from './mutex.js';

const TASK_ID_BITS = 20;
const TASK_IDS_PER_RANGE = 2 ** TASK_ID_BITS;

export class ShardClosedError extends RpcError {
  constructor(shardId: number, currentHost = '') {
    const lost = ownershipLost(`shard ${shardId} is no longer owned by this host`, '', currentHost);
    super(lost.code, lost.message, lost.detail);
  }
}

export class Shard {
  private rangeIdValue = 0;
  private recordValue = ShardRecord.fromPartial({});
  private firstOwnTaskId = 0;
  private nextSequence = TASK_IDS_PER_RANGE;
  private closedValue = false;
  private readonly renewLock = new Mutex();
  private readonly inFlight = new Set<number>();
  private readonly inFlightWaiters = new Set<() => void>();
  private lastAllocated = 0;
  private readonly scheduledReadLevels = new Map<ScheduledTaskCategory, number>();

  private constructor(
    readonly shardId: number,
    private readonly stores: PersistenceStores,
    private readonly logger: Logger,
    private readonly owner: string,
  ) {}

  /** Takes ownership by bumping the shard's range id; every later write is fenced by it. */
  static async acquire(shardId: number, stores: PersistenceStores, logger: Logger, owner: string): Promise<Shard> {
    const shard = new Shard(shardId, stores, logger, owner);
    const stored = await stores.shards.getOrCreateShard(shardId);
    await shard.renewRange(stored);
    shard.firstOwnTaskId = shard.rangeIdValue * TASK_IDS_PER_RANGE;
    return shard;
  }

  /** Tasks with a lower id were written before this host acquired the shard (by an earlier owner or process). */
  get firstTaskIdOfThisOwner(): number {
    return this.firstOwnTaskId;
  }

  get rangeId(): number {
    return this.rangeIdValue;
  }

  /** The shard row as this host last wrote it. */
  get record(): ShardRecord {
    return this.recordValue;
  }

  /** Rewrites fields of the shard row, fenced by this host's range id (resharding marks its steps there). */
  async updateRecord(fields: Partial<Pick<ShardRecord, 'shardCount' | 'cleanupPending' | 'queueAckLevels'>>) {
    this.assertOpen();
    const next = ShardRecord.fromPartial({ ...this.recordValue, ...fields, updatedTime: new Date() });
    try {
      await this.stores.shards.updateShard(next, this.rangeIdValue);
    } catch (err) {
      if (err instanceof ShardOwnershipLostError) this.close();
      throw err;
    }
    this.recordValue = next;
  }

  get closed(): boolean {
    return this.closedValue;
  }

  /** Called when a write finds the range id moved (lost: another host owns the shard now) or on release. */
  close(lost = true): void {
    if (this.closedValue) return;
    this.closedValue = true;
    if (lost) this.logger.warn({ shardId: this.shardId }, 'shard ownership lost; shard closed');
  }

  assertOpen(): void {
    if (this.closedValue) throw new ShardClosedError(this.shardId, this.owner);
  }

  /**
   * Task ids for one write. Until `releaseTaskIds` is called with the first id, queue readers stay below it: a
   * write that commits after a later one must not have its tasks skipped.
   */
  async allocateTaskIds(count: number): Promise<number[]> {
    const ids: number[] = [];
    while (ids.length < count) {
      if (this.nextSequence >= TASK_IDS_PER_RANGE) await this.renewLock.run(() => this.renewIfExhausted());
      ids.push(this.rangeIdValue * TASK_IDS_PER_RANGE + this.nextSequence++);
    }
    if (ids.length) this.inFlight.add(ids[0]!);
    this.lastAllocated = ids[ids.length - 1] ?? this.lastAllocated;
    return ids;
  }

  releaseTaskIds(ids: number[]): void {
    if (!ids.length) return;
    this.inFlight.delete(ids[0]!);
    for (const waiter of [...this.inFlightWaiters]) waiter();
  }

  get hasWritesInFlight(): boolean {
    return this.inFlight.size > 0;
  }

  /** The highest task id below every write still in flight: queues read up to here. */
  maxReadLevel(): number {
    let min = Infinity;
    for (const id of this.inFlight) min = Math.min(min, id);
    return min === Infinity ? this.lastAllocated : min - 1;
  }

  /**
   * The fire time to write a timer of `category` with: above the level its queue has read up to (upstream moves a
   * late timer the same way). A timer due in the past, or computed before a slow transaction, fires at once rather
   * than behind the queue, and the queue's range delete up to that level can never remove one that has not run.
   */
  scheduledFireTime(category: ScheduledTaskCategory, fireTime: number): number {
    return Math.max(fireTime, (this.scheduledReadLevels.get(category) ?? 0) + 1);
  }

  /**
   * The queue of `category` takes every timer due up to `fireTime` (inclusive). Task ids allocated from now on get
   * later fire times; writes already in flight may still hold earlier ones (waitForWritesInFlight).
   */
  advanceScheduledReadLevel(category: ScheduledTaskCategory, fireTime: number): void {
    if (fireTime > (this.scheduledReadLevels.get(category) ?? 0)) this.scheduledReadLevels.set(category, fireTime);
  }

  /** Resolves once every write in flight now has finished (committed or failed). */
  async waitForWritesInFlight(): Promise<void> {
    const pending = new Set(this.inFlight);
    while ([...pending].some((id) => this.inFlight.has(id))) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.inFlightWaiters.delete(done);
          resolve();
        };
        this.inFlightWaiters.add(done);
      });
    }
  }

  private async renewIfExhausted(): Promise<void> {
    if (this.nextSequence < TASK_IDS_PER_RANGE) return;
    const current = await this.stores.shards.getOrCreateShard(this.shardId);
    // Renewal is conditioned on the range id this host holds, not the stored one: a host that lost the shard must
    // not take it back by renewing.
    await this.renewRange({ ...current, rangeId: this.rangeIdValue });
  }

  /** Moves the shard from `current` (the range id the write is conditioned on) to the next range. */
  private async renewRange(current: ShardRecord): Promise<void> {
    this.assertOpen();
    const next = ShardRecord.fromPartial({
      ...current,
      rangeId: current.rangeId + 1,
      owner: this.owner,
      updatedTime: new Date(),
    });
    try {
      await this.stores.shards.updateShard(next, current.rangeId);
    } catch (err) {
      if (err instanceof ShardOwnershipLostError) this.close();
      throw err;
    }
    this.rangeIdValue = next.rangeId;
    this.recordValue = next;
    this.nextSequence = 0;
    // Every task of earlier ranges (earlier owners', or ours before a renewal) is below this range's first id: the
    // queues may read them all at once, without waiting for this host's first write.
    this.lastAllocated = Math.max(this.lastAllocated, next.rangeId * TASK_IDS_PER_RANGE - 1);
  }
}

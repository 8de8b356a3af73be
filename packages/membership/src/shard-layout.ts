// Which history shard holds an execution, as cluster metadata says now. Without a reshard it is
// hash mod historyShardCount + 1. A reshard from N to M (a multiple of N) splits every old shard s into s, s + N,
// s + 2N, ...; once s's split is committed, its executions route by hash mod M + 1 (one of those), the others still
// by hash mod N + 1. Every process keeps one layout, refreshed from the store, and routes through it.
import type { Logger } from '@tempora/common';
import type { ClusterMetadataRecord, ReshardState } from '@tempora/proto/persistence';
import { shardIdFor } from './routing.js';

export class ShardLayout {
  private record: ClusterMetadataRecord;
  /** The record's split shards, as a set: looked up on every routed call. */
  private splitShards: Set<number>;
  private readonly listeners = new Set<() => void>();

  constructor(record: ClusterMetadataRecord) {
    this.record = record;
    this.splitShards = new Set(record.reshard?.splitShards ?? []);
  }

  /** The shard count routing started from (the target count once a reshard finished). */
  get baseShardCount(): number {
    return this.record.historyShardCount;
  }

  get reshard(): ReshardState | undefined {
    return this.record.reshard;
  }

  get lastReshard(): ReshardState | undefined {
    return this.record.lastReshard;
  }

  /** The shard of the execution. */
  shardFor(namespaceId: string, workflowId: string): number {
    const shardId = shardIdFor(namespaceId, workflowId, this.record.historyShardCount);
    const reshard = this.record.reshard;
    return reshard && this.splitShards.has(shardId)
      ? shardIdFor(namespaceId, workflowId, reshard.toShardCount)
      : shardId;
  }

  /** Whether old shard `shardId` of the reshard in progress has split. */
  isSplit(shardId: number): boolean {
    return this.splitShards.has(shardId);
  }

  /** Every shard id that holds executions now, ascending. */
  liveShards(): number[] {
    const base = this.record.historyShardCount;
    const ids: number[] = [];
    for (let id = 1; id <= base; id++) ids.push(id);
    const reshard = this.record.reshard;
    if (reshard) {
      for (const id of this.splitShards) {
        for (let target = id + base; target <= reshard.toShardCount; target += base) ids.push(target);
      }
    }
    return ids.sort((a, b) => a - b);
  }

  /** Takes a newer record (a lower or equal version is ignored) and tells the listeners. */
  update(record: ClusterMetadataRecord): void {
    if (record.version <= this.record.version) return;
    this.record = record;
    this.splitShards = new Set(record.reshard?.splitShards ?? []);
    for (const listener of [...this.listeners]) listener();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Reads the record every `intervalMs` and takes it when newer: how a process learns of a reshard committed by
   * another one. Returns the stop function.
   */
  follow(read: () => Promise<ClusterMetadataRecord | undefined>, intervalMs: number, logger: Logger): () => void {
    let reading = false;
    const timer = setInterval(() => {
      if (reading) return;
      reading = true;
      read()
        .then(
          (record) => record && this.update(record),
          (err: unknown) => logger.warn({ err }, 'reading the shard layout failed; retrying'),
        )
        .finally(() => (reading = false));
    }, intervalMs).unref();
    return () => clearInterval(timer);
  }
}

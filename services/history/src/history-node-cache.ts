// Recent history batches in memory, write-through: a run's batches appended by this host are kept, so the workflow
// task responses and history reads that follow (a sticky worker asks only for what is new) come from memory instead
// of a store round trip. Only a shard's owner appends to its branches, so an entry holds every batch of its branch
// from its first cached node on; entries of a shard are dropped whenever this host acquires or releases it. Reads
// the cache cannot answer whole (older nodes, more than a page, continuations) go to the store.
import {
  toPage,
  type ExecutionStore,
  type HistoryAppend,
  type HistoryNode,
  type HistoryStore,
  type Page,
  type ReadHistoryBranchRequest,
} from '@tempora/persistence';

/** Bytes of cached batches at most (oldest-used branches are evicted first). */
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

interface BranchEntry {
  shardId: number;
  /** Every batch with nodeId >= this one that the branch holds is in `nodes`. */
  completeFrom: number;
  nodes: Map<number, HistoryNode>;
  bytes: number;
}

export class HistoryNodeCache {
  /** By `${shardId}/${branchToken}`, least recently used first. */
  private readonly branches = new Map<string, BranchEntry>();
  private bytes = 0;

  constructor(private readonly maxBytes = DEFAULT_MAX_BYTES) {}

  /** The store, with this cache in front of it. */
  wrap(store: HistoryStore): HistoryStore {
    const view = Object.create(store) as HistoryStore;
    view.appendHistoryNode = async (shardId, branchToken, node) => {
      await store.appendHistoryNode(shardId, branchToken, node);
      this.appended(shardId, branchToken, node);
    };
    view.readHistoryBranch = async (request) => this.read(request) ?? store.readHistoryBranch(request);
    view.readHistoryBranchReverse = async (request) =>
      this.readReverse(request) ?? store.readHistoryBranchReverse(request);
    view.deleteHistoryBranch = async (shardId, branchToken) => {
      this.drop(`${shardId}/${branchToken}`);
      await store.deleteHistoryBranch(shardId, branchToken);
    };
    return view;
  }

  /** The execution store, telling this cache the history its writes carry (HistoryAppend) once they succeed. */
  wrapExecutions(store: ExecutionStore): ExecutionStore {
    const view = Object.create(store) as ExecutionStore;
    const appendedBy = (shardId: number, history: HistoryAppend[] | undefined) => {
      for (const { branchToken, node } of history ?? []) this.appended(shardId, branchToken, node);
    };
    view.createWorkflowExecution = async (request) => {
      await store.createWorkflowExecution(request);
      appendedBy(request.shardId, request.history);
    };
    view.updateWorkflowExecution = async (request) => {
      await store.updateWorkflowExecution(request);
      appendedBy(request.shardId, request.history);
    };
    view.writeWorkflowExecutions = async (writes) => {
      const outcomes = await store.writeWorkflowExecutions(writes);
      writes.forEach(({ request }, i) => {
        if (!outcomes[i]) appendedBy(request.shardId, request.history);
      });
      return outcomes;
    };
    return view;
  }

  /** Forgets the shard's branches: another host may have appended to them meanwhile. */
  dropShard(shardId: number): void {
    for (const [key, entry] of this.branches) if (entry.shardId === shardId) this.drop(key);
  }

  private appended(shardId: number, branchToken: string, node: HistoryNode): void {
    const key = `${shardId}/${branchToken}`;
    let entry = this.branches.get(key);
    if (entry) this.branches.delete(key);
    entry ??= { shardId, completeFrom: node.nodeId, nodes: new Map(), bytes: 0 };
    this.branches.set(key, entry);
    const existing = entry.nodes.get(node.nodeId);
    if (existing && existing.txnId > node.txnId) return;
    const delta = node.events.length - (existing?.events.length ?? 0);
    entry.nodes.set(node.nodeId, node);
    entry.bytes += delta;
    this.bytes += delta;
    while (this.bytes > this.maxBytes && this.branches.size > 1) this.drop(this.branches.keys().next().value!);
  }

  private read(request: ReadHistoryBranchRequest): { items: HistoryNode[]; nextPageToken: undefined } | undefined {
    if (request.pageToken?.length) return undefined;
    const key = `${request.shardId}/${request.branchToken}`;
    const entry = this.branches.get(key);
    if (!entry || request.minNodeId < entry.completeFrom) return undefined;
    const items = [...entry.nodes.values()]
      .filter((node) => node.nodeId >= request.minNodeId && node.nodeId < request.maxNodeId)
      .sort((a, b) => a.nodeId - b.nodeId);
    if (items.length > request.pageSize) return undefined;
    this.branches.delete(key);
    this.branches.set(key, entry);
    return { items, nextPageToken: undefined };
  }

  /**
   * A reverse read's first page (e.g. the batch holding a closed run's last event), when the cache knows it: every
   * batch it covers is cached, or more than a page of them is (then the store would issue a token too, and its own
   * paging makes the same one).
   */
  private readReverse(request: ReadHistoryBranchRequest): Page<HistoryNode> | undefined {
    if (request.pageToken?.length) return undefined;
    const key = `${request.shardId}/${request.branchToken}`;
    const entry = this.branches.get(key);
    if (!entry) return undefined;
    const from = Math.max(request.minNodeId, entry.completeFrom);
    const rows = [...entry.nodes.values()]
      .filter((node) => node.nodeId >= from && node.nodeId < request.maxNodeId)
      .sort((a, b) => b.nodeId - a.nodeId);
    const complete = request.minNodeId >= entry.completeFrom;
    if (!complete && rows.length <= request.pageSize) return undefined;
    this.branches.delete(key);
    this.branches.set(key, entry);
    return toPage(rows.slice(0, request.pageSize + 1), request.pageSize, (node) => [node.nodeId]);
  }

  private drop(key: string): void {
    const entry = this.branches.get(key);
    if (!entry) return;
    this.branches.delete(key);
    this.bytes -= entry.bytes;
  }
}

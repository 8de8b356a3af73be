import type Database from 'better-sqlite3';
import type { HistoryNode, HistoryStore } from '../contract.js';
import { BOUND_LIMIT, type SqliteDatabase } from './database.js';
import { decodePageToken, fetchLimit, toPage } from '../paging.js';

type StoredNode = HistoryNode & { shardId: number; branchToken: string };

interface BranchRange {
  shardId: number;
  branchToken: string;
  minNodeId: number;
  maxNodeId: number;
  limit: number;
}

// With a single MAX() aggregate SQLite takes the bare column (events) from the row holding the maximum, so each
// nodeId yields the batch of its highest txnId.
const LATEST_NODES = `
  SELECT node_id AS nodeId, MAX(txn_id) AS txnId, events FROM history_nodes
  WHERE shard_id = @shardId AND branch_token = @branchToken AND node_id >= @minNodeId AND node_id < @maxNodeId
  GROUP BY node_id`;

/** The append of one batch; the execution store runs it inside its writes' transactions (HistoryAppend). */
export function prepareHistoryNodeInsert(db: SqliteDatabase): Database.Statement<[StoredNode]> {
  return db.prepare<StoredNode>(`
    INSERT OR REPLACE INTO history_nodes (shard_id, branch_token, node_id, txn_id, events)
    VALUES (@shardId, @branchToken, @nodeId, @txnId, @events)`);
}

export function createHistoryStore(db: SqliteDatabase): HistoryStore {
  const insertNode = prepareHistoryNodeInsert(db);
  const selectAscending = db.prepare<BranchRange, HistoryNode>(`${LATEST_NODES} ORDER BY node_id ${BOUND_LIMIT}`);
  const selectDescending = db.prepare<BranchRange, HistoryNode>(`${LATEST_NODES} ORDER BY node_id DESC ${BOUND_LIMIT}`);
  const deleteBranch = db.prepare<[number, string]>(
    'DELETE FROM history_nodes WHERE shard_id = ? AND branch_token = ?',
  );

  const toNodePage = (rows: HistoryNode[], pageSize: number) => toPage(rows, pageSize, (node) => [node.nodeId]);

  return {
    async appendHistoryNode(shardId, branchToken, node) {
      insertNode.run({ shardId, branchToken, ...node });
    },
    async readHistoryBranch({ shardId, branchToken, minNodeId, maxNodeId, pageSize, pageToken }) {
      // A continuation starts just after the last nodeId returned.
      const [lastNodeId] = decodePageToken<[number]>(pageToken, 1) ?? [minNodeId - 1];
      const rows = selectAscending.all({
        shardId,
        branchToken,
        minNodeId: lastNodeId + 1,
        maxNodeId,
        limit: fetchLimit(pageSize),
      });
      return toNodePage(rows, pageSize);
    },
    async readHistoryBranchReverse({ shardId, branchToken, minNodeId, maxNodeId, pageSize, pageToken }) {
      // A continuation ends just before the last (smallest) nodeId returned.
      const [lastNodeId] = decodePageToken<[number]>(pageToken, 1) ?? [maxNodeId];
      const rows = selectDescending.all({
        shardId,
        branchToken,
        minNodeId,
        maxNodeId: lastNodeId,
        limit: fetchLimit(pageSize),
      });
      return toNodePage(rows, pageSize);
    },
    async deleteHistoryBranch(shardId, branchToken) {
      deleteBranch.run(shardId, branchToken);
    },
  };
}

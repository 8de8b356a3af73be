// History batches, one partition per branch, clustered by (node_id ASC, txn_id DESC). A node appended again at a
// higher txn_id is a new row; reads keep the highest txn_id of each node. Pages end at whole nodes and the page
// token is the last node_id returned.
import type { HistoryNode, HistoryStore, Page, ReadHistoryBranchRequest } from '../contract.js';
import { decodePageToken, fetchLimit, toPage } from '../paging.js';
import { toBuffer, toBytes, toNumber, type CqlRow, type CqlSession, type Statement } from './session.js';

const BRANCH = 'shard_id = :shardId AND branch_token = :branchToken';
const NODES_IN_RANGE = `SELECT node_id, txn_id, events FROM history_node
  WHERE ${BRANCH} AND node_id >= :minNodeId AND node_id < :maxNodeId`;
/** Rows fetched per round trip; more than a page, since a node can have several txn rows. */
const MAX_FETCH_SIZE = 1_000;

/** The append of one batch, also sent by the execution store ahead of a write that carries it (HistoryAppend). */
export function insertHistoryNode(shardId: number, branchToken: string, node: HistoryNode): Statement {
  return {
    query: `INSERT INTO history_node (shard_id, branch_token, node_id, txn_id, events)
            VALUES (:shardId, :branchToken, :nodeId, :txnId, :events)`,
    params: { shardId, branchToken, nodeId: node.nodeId, txnId: node.txnId, events: toBuffer(node.events) },
  };
}

function toNode(row: CqlRow): HistoryNode {
  return { nodeId: toNumber(row['node_id']), txnId: toNumber(row['txn_id']), events: toBytes(row['events']) };
}

export function createHistoryStore(session: CqlSession): HistoryStore {
  /** Up to limit nodes, each at its highest txn_id, from rows ordered by node_id (either direction). */
  const readNodes = async (query: string, params: Record<string, unknown>, limit: number) => {
    const nodes: HistoryNode[] = [];
    for await (const row of session.scan(query, params, Math.min(limit * 2, MAX_FETCH_SIZE))) {
      const node = toNode(row);
      const last = nodes[nodes.length - 1];
      if (last?.nodeId === node.nodeId) {
        if (node.txnId > last.txnId) nodes[nodes.length - 1] = node;
        continue;
      }
      // The (limit + 1)th node has started, so the limit-th is complete.
      if (nodes.length === limit) break;
      nodes.push(node);
    }
    return nodes;
  };

  const readPage = async (request: ReadHistoryBranchRequest, direction: 'ASC' | 'DESC'): Promise<Page<HistoryNode>> => {
    const { shardId, branchToken, pageSize, pageToken } = request;
    const [lastNodeId] = decodePageToken<[number]>(pageToken, 1) ?? [];
    // A continuation starts after (forward) or before (reverse) the last node returned.
    const range =
      direction === 'ASC'
        ? { minNodeId: lastNodeId === undefined ? request.minNodeId : lastNodeId + 1, maxNodeId: request.maxNodeId }
        : { minNodeId: request.minNodeId, maxNodeId: lastNodeId ?? request.maxNodeId };
    const nodes = await readNodes(
      `${NODES_IN_RANGE} ORDER BY node_id ${direction}`,
      { shardId, branchToken, ...range },
      fetchLimit(pageSize),
    );
    return toPage(nodes, pageSize, (node) => [node.nodeId]);
  };

  return {
    async appendHistoryNode(shardId, branchToken, node) {
      const { query, params } = insertHistoryNode(shardId, branchToken, node);
      await session.execute(query, params);
    },
    readHistoryBranch(request) {
      return readPage(request, 'ASC');
    },
    readHistoryBranchReverse(request) {
      return readPage(request, 'DESC');
    },
    async deleteHistoryBranch(shardId, branchToken) {
      await session.execute(`DELETE FROM history_node WHERE ${BRANCH}`, { shardId, branchToken });
    },
  };
}

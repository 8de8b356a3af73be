// Pages of a run's history. Page tokens are opaque to callers: the run, the next event to read, and the end of
// the range (the run's nextEventId when the first page was read, so a page sequence is a stable snapshot).
import type { PersistenceStores } from '@tempora/persistence';
import { History, type HistoryEvent } from '@tempora/proto/history';
import { invalidArgument } from '@tempora/rpc';

export interface HistoryPageToken {
  runId: string;
  nextEventId: number;
  endEventId: number;
}

export function encodeHistoryPageToken(token: HistoryPageToken): Buffer {
  return Buffer.from(JSON.stringify(token));
}

export function decodeHistoryPageToken(bytes: Uint8Array): HistoryPageToken | undefined {
  if (!bytes.length) return undefined;
  try {
    const token = JSON.parse(Buffer.from(bytes).toString()) as HistoryPageToken;
    if (typeof token.runId === 'string' && Number.isInteger(token.nextEventId) && Number.isInteger(token.endEventId))
      return token;
  } catch {
    // fall through
  }
  throw invalidArgument('Invalid next_page_token.');
}

export interface HistoryPage {
  events: HistoryEvent[];
  /** Empty when this is the last page of the range. */
  nextPageToken: Buffer;
}

/**
 * Up to `pageSize` stored batches (the events one write appended) starting at `firstEventId`, which is always a
 * batch boundary (event 1, a sticky worker's first unseen event, or where the previous page stopped). Like
 * upstream, a page never splits a batch.
 */
export async function readHistoryPage(
  stores: PersistenceStores,
  shardId: number,
  runId: string,
  firstEventId: number,
  endEventId: number,
  pageSize: number,
): Promise<HistoryPage> {
  if (firstEventId >= endEventId) return { events: [], nextPageToken: Buffer.alloc(0) };
  const read = (minNodeId: number) =>
    stores.history.readHistoryBranch({ shardId, branchToken: runId, minNodeId, maxNodeId: endEventId, pageSize });
  let page = await read(firstEventId);
  if (firstEventId > 1 && !startsAt(page.items[0], firstEventId)) {
    // A sticky worker's first unseen event can sit inside a batch (a transient or speculative task's events are
    // written with its completion): read from the batch that holds it.
    const holder = await stores.history.readHistoryBranchReverse({
      shardId,
      branchToken: runId,
      minNodeId: 1,
      maxNodeId: firstEventId,
      pageSize: 1,
    });
    const nodeId = holder.items[0]?.nodeId;
    if (nodeId !== undefined) page = await read(nodeId);
  }
  const events = page.items
    .flatMap((node) => History.decode(node.events).events)
    .filter((event) => event.eventId >= firstEventId && event.eventId < endEventId);
  const nextEventId = (events[events.length - 1]?.eventId ?? firstEventId - 1) + 1;
  const nextPageToken =
    page.nextPageToken && nextEventId < endEventId
      ? encodeHistoryPageToken({ runId, nextEventId, endEventId })
      : Buffer.alloc(0);
  return { events, nextPageToken };
}

function startsAt(node: { nodeId: number } | undefined, eventId: number): boolean {
  return node?.nodeId === eventId;
}

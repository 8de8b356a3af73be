// Pages of a run's history. Page tokens are opaque to callers: the run, the next event to read, and the end of
// the range (the run's nextEventId when the first page was read, so a page sequence is a stable snapshot).
import type { PersistenceStores } from '@tempora/persistence';
import type { HistoryEvent } from '@tempora/proto/generated/temporal/api/history/v1/message';
import { invalidArgument } from '@tempora/rpc';
import { readEvents } from './history-reader.js';

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
    if (typeof token.runId === 'string' && Number.isInteger(token.nextEventId) && Number.isInteger(token.endEventId)) return token;
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

export async function readHistoryPage(
  stores: PersistenceStores,
  shardId: number,
  runId: string,
  firstEventId: number,
  endEventId: number,
  pageSize: number,
): Promise<HistoryPage> {
  const pageEnd = Math.min(endEventId, firstEventId + pageSize);
  const events = await readEvents(stores, shardId, runId, firstEventId, pageEnd);
  const nextPageToken =
    pageEnd < endEventId ? encodeHistoryPageToken({ runId, nextEventId: pageEnd, endEventId }) : Buffer.alloc(0);
  return { events, nextPageToken };
}

// The visibility contract. History's visibility queue writes records; the frontend lists and counts them. Every
// store (SQLite embedded, Elasticsearch) implements it, and the contract suite (src/contract/) defines correct.
import type { WorkflowExecutionStatus } from '@tempora/proto/enums';
import type { ResolvedQuery } from './resolve.js';
import type { SearchAttributeValue } from './search-attributes.js';

/** One run as visibility sees it. Times are epoch milliseconds. */
export interface VisibilityRecord {
  namespaceId: string;
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  status: WorkflowExecutionStatus;
  startTime: number;
  executionTime: number;
  closeTime?: number;
  /** Nanoseconds from execution time to close time; set when closed. */
  executionDuration?: number;
  historyLength: number;
  historySizeBytes: number;
  stateTransitionCount: number;
  parentWorkflowId?: string;
  parentRunId?: string;
  rootWorkflowId: string;
  rootRunId: string;
  /** Serialized temporal.api.common.v1.Memo; opaque to the store. */
  memo?: Uint8Array;
  /** Predefined attributes and custom fields (Keyword01 ...) with their typed values. */
  searchAttributes: Record<string, SearchAttributeValue>;
  /**
   * The visibility task id that produced the record. A write carrying a lower version than the stored one is
   * ignored, so replays and out-of-order retries never roll a record back.
   */
  version: number;
}

export type VisibilityWrite =
  | { kind: 'upsert'; record: VisibilityRecord }
  | { kind: 'delete'; namespaceId: string; workflowId: string; runId: string; version: number };

export interface ListRequest {
  namespaceId: string;
  query: ResolvedQuery;
  pageSize: number;
  /** Opaque; undefined or empty for the first page. */
  pageToken?: Uint8Array;
}

export interface ListResponse {
  records: VisibilityRecord[];
  /** Empty when there are no more pages. */
  nextPageToken: Uint8Array;
}

export interface CountResponse {
  count: number;
  /** With GROUP BY: one group per value (ExecutionStatus as its name). */
  groups?: { value: string; count: number }[];
}

export interface VisibilityStore {
  /** 'sqlite' or 'elasticsearch'. */
  readonly name: string;
  /** Elasticsearch sorts by any non-Text attribute; upstream's SQL stores reject ORDER BY. */
  readonly supportsOrderBy: boolean;
  /** Applies the writes in order (one transaction or one bulk request). Idempotent. */
  write(writes: VisibilityWrite[]): Promise<void>;
  /**
   * Default order: open runs first, then by close time, start time (newest first), run id. Page tokens are stable:
   * a record changing between pages is neither skipped nor repeated unless it moves across the cursor.
   */
  list(request: ListRequest): Promise<ListResponse>;
  count(request: Omit<ListRequest, 'pageSize' | 'pageToken'>): Promise<CountResponse>;
  get(namespaceId: string, runId: string): Promise<VisibilityRecord | undefined>;
  close(): Promise<void>;
}

/** A page token this store did not issue. Services answer INVALID_ARGUMENT. */
export class InvalidPageTokenError extends Error {
  override name = 'InvalidPageTokenError';
  constructor() {
    super('Invalid NextPageToken.');
  }
}

/** Encodes a cursor as an opaque token; decodeCursor rejects anything it did not produce. */
export function encodeCursor(kind: string, values: unknown[]): Uint8Array {
  return Buffer.from(JSON.stringify({ k: kind, v: values }), 'utf8');
}

export function decodeCursor(kind: string, token: Uint8Array | undefined): unknown[] | undefined {
  if (!token || token.length === 0) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token).toString('utf8')) as { k?: unknown; v?: unknown };
    if (parsed.k === kind && Array.isArray(parsed.v)) return parsed.v as unknown[];
  } catch {
    // fall through
  }
  throw new InvalidPageTokenError();
}

// The Elasticsearch visibility store (@elastic/elasticsearch 8.x, matching the 8.x server deploy/local installs).
// One index per cluster; documents are keyed by namespace and run, versioned externally by the visibility task id,
// written with the bulk API and read with search_after paging.
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { Client, ClientOptions } from '@elastic/elasticsearch';
import {
  CUSTOM_FIELDS,
  IndexedValueType,
  PREDEFINED_SEARCH_ATTRIBUTES,
  SYSTEM_SEARCH_ATTRIBUTES,
  datetimeFromMs,
  datetimeToMs,
  statusFromName,
  statusName,
  type SearchAttributeValue,
} from '../search-attributes.js';
import {
  decodeCursor,
  encodeCursor,
  type CountResponse,
  type ListRequest,
  type ListResponse,
  type VisibilityRecord,
  type VisibilityStore,
  type VisibilityWrite,
} from '../store.js';
import { cursorValues, sortKeys, toEsQuery, toEsSort } from './dsl.js';

/**
 * The client library is loaded on first use: it is a large share of the modules a process would load at start, and
 * only processes with Elasticsearch visibility need it.
 */
const elastic = () => import('@elastic/elasticsearch');

export interface ElasticsearchVisibilityOptions {
  url: string;
  index: string;
  /**
   * 'wait_for' makes every acknowledged write visible to the next search (tests, start-dev); false leaves it to
   * the index's refresh interval (about a second), which is cheaper under load.
   */
  refresh?: 'wait_for' | false;
  /** Attempts per request on transient errors (connection, 429, 5xx). */
  maxRetries?: number;
  /** TLS options for an https:// url (CA, client certificate, server name). */
  tls?: ConnectionOptions;
}

/** The client's options: the node, retries and TLS. */
export function elasticsearchClientOptions(
  options: Pick<ElasticsearchVisibilityOptions, 'url' | 'maxRetries' | 'tls'>,
): ClientOptions {
  return {
    node: options.url,
    maxRetries: options.maxRetries ?? 5,
    requestTimeout: 30_000,
    // Not `tls`: the client's pool copies that once. The connector reads the options at every new connection, so
    // certificates rotated on disk (storeTlsOptions' getters) reach new connections. The client spreads `agent` into
    // its undici pool options, whose `connect` takes a connector function (not in the client's agent type).
    ...(options.tls ? { agent: { connect: liveTlsConnector(options.tls) } as ClientOptions['agent'] } : {}),
  };
}

interface ConnectTarget {
  hostname: string;
  protocol: string;
  port: string;
  servername?: string | null;
}

/** undici's connector contract over tls.connect, with `tls` read afresh for each socket. */
function liveTlsConnector(tls: ConnectionOptions) {
  return (target: ConnectTarget, callback: (err: Error | null, socket: Socket | null) => void): void => {
    const https = target.protocol === 'https:';
    const port = Number(target.port) || (https ? 443 : 80);
    const servername = tls.servername ?? target.servername ?? (isIP(target.hostname) ? undefined : target.hostname);
    const socket = https
      ? tlsConnect({ ...tls, host: target.hostname, port, servername, ALPNProtocols: ['http/1.1'] })
      : netConnect({ host: target.hostname, port });
    socket.setNoDelay(true).setKeepAlive(true, 60_000);
    const failed = (err: Error) => callback(err, null);
    socket.once('error', failed);
    socket.once(https ? 'secureConnect' : 'connect', () => {
      socket.off('error', failed);
      callback(null, socket);
    });
  };
}

const CURSOR_KIND = 'es-v1';
const TEMPLATE_VERSION = 1;

const ES_TYPES: Record<number, Record<string, unknown>> = {
  [IndexedValueType.INDEXED_VALUE_TYPE_TEXT]: { type: 'text' },
  [IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]: { type: 'keyword' },
  [IndexedValueType.INDEXED_VALUE_TYPE_INT]: { type: 'long' },
  [IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE]: { type: 'double' },
  [IndexedValueType.INDEXED_VALUE_TYPE_BOOL]: { type: 'boolean' },
  [IndexedValueType.INDEXED_VALUE_TYPE_DATETIME]: { type: 'date_nanos' },
  [IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST]: { type: 'keyword' },
};

/** The index mapping: every attribute has a fixed type, so documents never add fields (dynamic: strict). */
export function visibilityMappings(): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    NamespaceId: { type: 'keyword' },
    Memo: { type: 'binary' },
    Version: { type: 'long' },
  };
  const all = [
    ...Object.entries(SYSTEM_SEARCH_ATTRIBUTES),
    ...Object.entries(PREDEFINED_SEARCH_ATTRIBUTES),
    ...CUSTOM_FIELDS.map((f) => [f.field, f.type] as const),
  ];
  for (const [field, type] of all) properties[field] = ES_TYPES[type];
  return { dynamic: 'strict', properties };
}

/** The part of an Elasticsearch error response read here. */
interface ErrorBody {
  error?: { type?: string };
}

/**
 * The schema tool: an index template for `<index>*` and the index itself. Idempotent; `tempora schema
 * elasticsearch` and every store open run it.
 */
export async function setupElasticsearchSchema(client: Client, index: string): Promise<void> {
  await client.indices.putIndexTemplate({
    name: `${index}-template`,
    index_patterns: [`${index}*`],
    version: TEMPLATE_VERSION,
    template: {
      settings: {
        number_of_shards: 1,
        number_of_replicas: 0,
        // Stored in the default list order, so an unfiltered or lightly filtered first page stops early.
        index: {
          sort: {
            field: ['CloseTime', 'StartTime', 'RunId'],
            order: ['desc', 'desc', 'asc'],
            missing: ['_first', '_last', '_last'],
          },
        },
      },
      mappings: visibilityMappings(),
    },
  });
  const { errors } = await elastic();
  try {
    await client.indices.create({ index });
  } catch (err) {
    const reason = err instanceof errors.ResponseError ? (err.body as ErrorBody | undefined)?.error?.type : undefined;
    if (reason !== 'resource_already_exists_exception') throw err;
  }
  await client.cluster.health({ index, wait_for_status: 'yellow', timeout: '30s' });
}

/** The schema tool as a one-off: connects, sets up, disconnects. */
export async function setupElasticsearchSchemaAt(target: {
  url: string;
  index: string;
  tls?: ConnectionOptions;
}): Promise<void> {
  const { Client } = await elastic();
  const client = new Client(elasticsearchClientOptions(target));
  try {
    await setupElasticsearchSchema(client, target.index);
  } finally {
    await client.close();
  }
}

export async function openElasticsearchVisibilityStore(
  options: ElasticsearchVisibilityOptions,
): Promise<VisibilityStore> {
  const { Client } = await elastic();
  const client = new Client(elasticsearchClientOptions(options));
  try {
    await setupElasticsearchSchema(client, options.index);
  } catch (err) {
    await client.close();
    throw err;
  }
  return new ElasticsearchVisibilityStore(client, options.index, options.refresh ?? false);
}

interface Doc {
  NamespaceId: string;
  Memo?: string;
  Version: number;
  [field: string]: unknown;
}

class ElasticsearchVisibilityStore implements VisibilityStore {
  readonly name = 'elasticsearch';
  readonly supportsOrderBy = true;

  constructor(
    private readonly client: Client,
    private readonly index: string,
    private readonly refresh: 'wait_for' | false,
  ) {}

  async write(writes: VisibilityWrite[]): Promise<void> {
    if (!writes.length) return;
    // external_gte: replaying the same task rewrites the same document; an older version is refused (409).
    const operations = writes.flatMap((w): object[] =>
      w.kind === 'upsert'
        ? [
            {
              index: {
                _index: this.index,
                _id: docId(w.record.namespaceId, w.record.runId),
                version: w.record.version,
                version_type: 'external_gte' as const,
              },
            },
            toDoc(w.record),
          ]
        : [
            {
              delete: {
                _index: this.index,
                _id: docId(w.namespaceId, w.runId),
                version: w.version,
                version_type: 'external_gte' as const,
              },
            },
          ],
    );
    const response = await this.client.bulk({ operations, refresh: this.refresh });
    if (!response.errors) return;
    const failures = response.items
      .map((item) => Object.values(item)[0]!)
      .filter((r) => r.error && r.status !== 409 && r.status !== 404);
    if (failures.length) {
      throw new Error(
        `elasticsearch bulk write failed: ${failures.map((f) => `${f._id}: ${f.error?.type} ${f.error?.reason ?? ''}`).join('; ')}`,
      );
    }
  }

  async list(request: ListRequest): Promise<ListResponse> {
    const searchAfter = decodeCursor(CURSOR_KIND, request.pageToken);
    const keys = sortKeys(request.query);
    const response = await this.client.search<Doc>({
      index: this.index,
      query: toEsQuery(request.namespaceId, request.query),
      sort: toEsSort(keys) as never,
      size: request.pageSize + 1,
      search_after: searchAfter as never,
      track_total_hits: false,
    });
    const hits = response.hits.hits;
    const more = hits.length > request.pageSize;
    const page = more ? hits.slice(0, request.pageSize) : hits;
    const last = page[page.length - 1];
    return {
      records: page.map((hit) => fromDoc(hit._source!)),
      nextPageToken: more && last?.sort ? encodeCursor(CURSOR_KIND, cursorValues(keys, last.sort)) : new Uint8Array(),
    };
  }

  async count(request: Omit<ListRequest, 'pageSize' | 'pageToken'>): Promise<CountResponse> {
    const query = toEsQuery(request.namespaceId, request.query);
    const groupBy = request.query.groupBy;
    if (!groupBy) {
      const response = await this.client.count({ index: this.index, query });
      return { count: response.count };
    }
    const response = await this.client.search({
      index: this.index,
      query,
      size: 0,
      track_total_hits: true,
      aggs: { groups: { terms: { field: groupBy.field, size: 100, missing: '' } } },
    });
    const total = typeof response.hits.total === 'number' ? response.hits.total : (response.hits.total?.value ?? 0);
    const buckets =
      (response.aggregations?.groups as { buckets: { key: string; doc_count: number }[] } | undefined)?.buckets ?? [];
    return { count: total, groups: buckets.map((b) => ({ value: String(b.key), count: b.doc_count })) };
  }

  async get(namespaceId: string, runId: string): Promise<VisibilityRecord | undefined> {
    try {
      const response = await this.client.get<Doc>({ index: this.index, id: docId(namespaceId, runId), realtime: true });
      return response._source ? fromDoc(response._source) : undefined;
    } catch (err) {
      const { errors } = await elastic();
      if (err instanceof errors.ResponseError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function docId(namespaceId: string, runId: string): string {
  return `${namespaceId}~${runId}`;
}

function toDoc(r: VisibilityRecord): Doc {
  const doc: Doc = {
    NamespaceId: r.namespaceId,
    WorkflowId: r.workflowId,
    RunId: r.runId,
    WorkflowType: r.workflowType,
    TaskQueue: r.taskQueue,
    ExecutionStatus: statusName(r.status),
    StartTime: datetimeFromMs(r.startTime),
    ExecutionTime: datetimeFromMs(r.executionTime),
    HistoryLength: r.historyLength,
    HistorySizeBytes: r.historySizeBytes,
    StateTransitionCount: r.stateTransitionCount,
    RootWorkflowId: r.rootWorkflowId,
    RootRunId: r.rootRunId,
    Version: r.version,
    ...r.searchAttributes,
  };
  if (r.closeTime !== undefined) doc.CloseTime = datetimeFromMs(r.closeTime);
  if (r.executionDuration !== undefined) doc.ExecutionDuration = r.executionDuration;
  if (r.parentWorkflowId !== undefined) doc.ParentWorkflowId = r.parentWorkflowId;
  if (r.parentRunId !== undefined) doc.ParentRunId = r.parentRunId;
  if (r.memo) doc.Memo = Buffer.from(r.memo).toString('base64');
  return doc;
}

const DOC_SYSTEM_FIELDS = new Set(['NamespaceId', 'Memo', 'Version', ...Object.keys(SYSTEM_SEARCH_ATTRIBUTES)]);

function fromDoc(doc: Doc): VisibilityRecord {
  const searchAttributes: Record<string, SearchAttributeValue> = {};
  for (const [field, value] of Object.entries(doc)) {
    if (!DOC_SYSTEM_FIELDS.has(field)) searchAttributes[field] = value as SearchAttributeValue;
  }
  return {
    namespaceId: doc.NamespaceId,
    workflowId: doc.WorkflowId as string,
    runId: doc.RunId as string,
    workflowType: doc.WorkflowType as string,
    taskQueue: doc.TaskQueue as string,
    status: statusFromName(doc.ExecutionStatus as string) ?? 0,
    startTime: datetimeToMs(doc.StartTime as string),
    executionTime: datetimeToMs(doc.ExecutionTime as string),
    closeTime: doc.CloseTime === undefined ? undefined : datetimeToMs(doc.CloseTime as string),
    executionDuration: doc.ExecutionDuration as number | undefined,
    historyLength: doc.HistoryLength as number,
    historySizeBytes: doc.HistorySizeBytes as number,
    stateTransitionCount: doc.StateTransitionCount as number,
    parentWorkflowId: doc.ParentWorkflowId as string | undefined,
    parentRunId: doc.ParentRunId as string | undefined,
    rootWorkflowId: doc.RootWorkflowId as string,
    rootRunId: doc.RootRunId as string,
    memo: doc.Memo ? new Uint8Array(Buffer.from(doc.Memo, 'base64')) : undefined,
    searchAttributes,
    version: doc.Version,
  };
}

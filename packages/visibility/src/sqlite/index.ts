// The SQLite visibility store (embedded default). One table keyed by (namespace, run); system attributes are
// columns, the rest one JSON column. Lists use keyset paging in upstream's default order.
import Database from 'better-sqlite3';
import type { ResolvedQuery } from '../resolve.js';
import { datetimeFromMs, datetimeToMs, statusName, type SearchAttributeValue } from '../search-attributes.js';
import {
  decodeCursor,
  encodeCursor,
  InvalidPageTokenError,
  type CountResponse,
  type ListRequest,
  type ListResponse,
  type VisibilityRecord,
  type VisibilityStore,
  type VisibilityWrite,
} from '../store.js';
import { SORT_CLOSE_TIME, columnOf, textMatch, toSql, type SqlFragment } from './sql.js';

const BUSY_TIMEOUT_MS = 5_000;
const CURSOR_KIND = 'sqlite-v1';

// Datetimes are stored in the fixed-width normalized form, so text order is time order.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS executions_visibility (
  namespace_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  workflow_id TEXT NOT NULL,
  workflow_type TEXT NOT NULL,
  task_queue TEXT NOT NULL,
  status INTEGER NOT NULL,
  start_time TEXT NOT NULL,
  execution_time TEXT NOT NULL,
  close_time TEXT,
  execution_duration INTEGER,
  history_length INTEGER NOT NULL,
  history_size_bytes INTEGER NOT NULL,
  state_transition_count INTEGER NOT NULL,
  parent_workflow_id TEXT,
  parent_run_id TEXT,
  root_workflow_id TEXT NOT NULL,
  root_run_id TEXT NOT NULL,
  memo BLOB,
  search_attributes TEXT NOT NULL,
  version INTEGER NOT NULL,
  -- Every list filters on it (IS NULL unless the query names it), so it is a column rather than a JSON lookup.
  namespace_division TEXT GENERATED ALWAYS AS (json_extract(search_attributes, '$.TemporalNamespaceDivision')) STORED,
  PRIMARY KEY (namespace_id, run_id)
);
CREATE INDEX IF NOT EXISTS executions_visibility_default_order
  ON executions_visibility (namespace_id, namespace_division, ${SORT_CLOSE_TIME} DESC, start_time DESC, run_id);
CREATE INDEX IF NOT EXISTS executions_visibility_workflow_id
  ON executions_visibility (namespace_id, workflow_id, ${SORT_CLOSE_TIME} DESC, start_time DESC, run_id);
CREATE INDEX IF NOT EXISTS executions_visibility_workflow_type
  ON executions_visibility (namespace_id, workflow_type, ${SORT_CLOSE_TIME} DESC, start_time DESC, run_id);
CREATE INDEX IF NOT EXISTS executions_visibility_status
  ON executions_visibility (namespace_id, status, ${SORT_CLOSE_TIME} DESC, start_time DESC, run_id);
`;

interface Row {
  namespace_id: string;
  run_id: string;
  workflow_id: string;
  workflow_type: string;
  task_queue: string;
  status: number;
  start_time: string;
  execution_time: string;
  close_time: string | null;
  execution_duration: number | null;
  history_length: number;
  history_size_bytes: number;
  state_transition_count: number;
  parent_workflow_id: string | null;
  parent_run_id: string | null;
  root_workflow_id: string;
  root_run_id: string;
  memo: Buffer | null;
  search_attributes: string;
  version: number;
  namespace_division?: string | null;
}

export interface SqliteVisibilityOptions {
  /** Database file (may be the persistence file: the table is separate); in memory when absent. */
  file?: string;
}

export function openSqliteVisibilityStore(options: SqliteVisibilityOptions = {}): VisibilityStore {
  const db = new Database(options.file ?? ':memory:');
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.function('text_match', { deterministic: true }, textMatch);
    db.exec(SCHEMA);
    return new SqliteVisibilityStore(db);
  } catch (error) {
    db.close();
    throw error;
  }
}

class SqliteVisibilityStore implements VisibilityStore {
  readonly name = 'sqlite';
  readonly supportsOrderBy = false;
  private readonly upsertStatement;
  private readonly deleteStatement;
  private readonly applyWrites;

  constructor(private readonly db: Database.Database) {
    // A write older than the stored record (lower version) changes nothing.
    this.upsertStatement = db.prepare(`
      INSERT INTO executions_visibility (namespace_id, run_id, workflow_id, workflow_type, task_queue, status, start_time,
        execution_time, close_time, execution_duration, history_length, history_size_bytes, state_transition_count,
        parent_workflow_id, parent_run_id, root_workflow_id, root_run_id, memo, search_attributes, version)
      VALUES (@namespace_id, @run_id, @workflow_id, @workflow_type, @task_queue, @status, @start_time, @execution_time,
        @close_time, @execution_duration, @history_length, @history_size_bytes, @state_transition_count,
        @parent_workflow_id, @parent_run_id, @root_workflow_id, @root_run_id, @memo, @search_attributes, @version)
      ON CONFLICT (namespace_id, run_id) DO UPDATE SET
        workflow_id = excluded.workflow_id, workflow_type = excluded.workflow_type, task_queue = excluded.task_queue,
        status = excluded.status, start_time = excluded.start_time, execution_time = excluded.execution_time,
        close_time = excluded.close_time, execution_duration = excluded.execution_duration,
        history_length = excluded.history_length, history_size_bytes = excluded.history_size_bytes,
        state_transition_count = excluded.state_transition_count, parent_workflow_id = excluded.parent_workflow_id,
        parent_run_id = excluded.parent_run_id, root_workflow_id = excluded.root_workflow_id,
        root_run_id = excluded.root_run_id, memo = excluded.memo, search_attributes = excluded.search_attributes,
        version = excluded.version
      WHERE excluded.version >= executions_visibility.version`);
    this.deleteStatement = db.prepare(
      'DELETE FROM executions_visibility WHERE namespace_id = ? AND run_id = ? AND version <= ?',
    );
    this.applyWrites = db.transaction((writes: VisibilityWrite[]) => {
      for (const write of writes) {
        if (write.kind === 'upsert') this.upsertStatement.run(toRow(write.record));
        else this.deleteStatement.run(write.namespaceId, write.runId, write.version);
      }
    });
  }

  async write(writes: VisibilityWrite[]): Promise<void> {
    this.applyWrites.immediate(writes);
  }

  async list(request: ListRequest): Promise<ListResponse> {
    const where = this.where(request.namespaceId, request.query);
    const cursor = decodeCursor(CURSOR_KIND, request.pageToken);
    if (cursor) {
      if (cursor.length !== 3 || !cursor.every((v) => typeof v === 'string')) throw new InvalidPageTokenError();
      const [closeTime, startTime, runId] = cursor as string[];
      where.sql += ` AND (${SORT_CLOSE_TIME} < ? OR (${SORT_CLOSE_TIME} = ? AND (start_time < ? OR (start_time = ? AND run_id > ?))))`;
      where.params.push(closeTime, closeTime, startTime, startTime, runId);
    }
    const rows = this.db
      .prepare(
        `SELECT * FROM executions_visibility WHERE ${where.sql} ORDER BY ${SORT_CLOSE_TIME} DESC, start_time DESC, run_id LIMIT ?`,
      )
      .all(...where.params, request.pageSize + 1) as Row[];
    const more = rows.length > request.pageSize;
    const page = more ? rows.slice(0, request.pageSize) : rows;
    const last = page[page.length - 1];
    return {
      records: page.map(fromRow),
      nextPageToken:
        more && last
          ? encodeCursor(CURSOR_KIND, [
              last.close_time ?? '9999-12-31T23:59:59.999999999Z',
              last.start_time,
              last.run_id,
            ])
          : new Uint8Array(),
    };
  }

  async count(request: Omit<ListRequest, 'pageSize' | 'pageToken'>): Promise<CountResponse> {
    const where = this.where(request.namespaceId, request.query);
    const groupBy = request.query.groupBy;
    if (groupBy) {
      const rows = this.db
        .prepare(
          `SELECT ${columnOf(groupBy)} AS value, count(*) AS n FROM executions_visibility WHERE ${where.sql} GROUP BY value ORDER BY n DESC, value`,
        )
        .all(...where.params) as { value: string | number | null; n: number }[];
      // ExecutionStatus is stored as its enum number and reported by name.
      const shown = (value: string | number | null) => (typeof value === 'number' ? statusName(value) : (value ?? ''));
      return {
        count: rows.reduce((sum, r) => sum + r.n, 0),
        groups: rows.map((r) => ({ value: shown(r.value), count: r.n })),
      };
    }
    const row = this.db
      .prepare(`SELECT count(*) AS n FROM executions_visibility WHERE ${where.sql}`)
      .get(...where.params) as { n: number };
    return { count: row.n };
  }

  async get(namespaceId: string, runId: string): Promise<VisibilityRecord | undefined> {
    const row = this.db
      .prepare('SELECT * FROM executions_visibility WHERE namespace_id = ? AND run_id = ?')
      .get(namespaceId, runId) as Row | undefined;
    return row && fromRow(row);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private where(namespaceId: string, query: ResolvedQuery): SqlFragment {
    const filter = query.where ? toSql(query.where) : undefined;
    return {
      sql: `namespace_id = ?${filter ? ` AND ${filter.sql}` : ''}`,
      params: [namespaceId, ...(filter?.params ?? [])],
    };
  }
}

function toRow(r: VisibilityRecord): Row {
  return {
    namespace_id: r.namespaceId,
    run_id: r.runId,
    workflow_id: r.workflowId,
    workflow_type: r.workflowType,
    task_queue: r.taskQueue,
    status: r.status,
    start_time: datetimeFromMs(r.startTime),
    execution_time: datetimeFromMs(r.executionTime),
    close_time: r.closeTime === undefined ? null : datetimeFromMs(r.closeTime),
    execution_duration: r.executionDuration ?? null,
    history_length: r.historyLength,
    history_size_bytes: r.historySizeBytes,
    state_transition_count: r.stateTransitionCount,
    parent_workflow_id: r.parentWorkflowId ?? null,
    parent_run_id: r.parentRunId ?? null,
    root_workflow_id: r.rootWorkflowId,
    root_run_id: r.rootRunId,
    memo: r.memo ? Buffer.from(r.memo) : null,
    search_attributes: JSON.stringify(r.searchAttributes),
    version: r.version,
  };
}

function fromRow({ namespace_division: _, ...row }: Row): VisibilityRecord {
  return {
    namespaceId: row.namespace_id,
    workflowId: row.workflow_id,
    runId: row.run_id,
    workflowType: row.workflow_type,
    taskQueue: row.task_queue,
    status: row.status,
    startTime: datetimeToMs(row.start_time),
    executionTime: datetimeToMs(row.execution_time),
    closeTime: row.close_time === null ? undefined : datetimeToMs(row.close_time),
    executionDuration: row.execution_duration ?? undefined,
    historyLength: row.history_length,
    historySizeBytes: row.history_size_bytes,
    stateTransitionCount: row.state_transition_count,
    parentWorkflowId: row.parent_workflow_id ?? undefined,
    parentRunId: row.parent_run_id ?? undefined,
    rootWorkflowId: row.root_workflow_id,
    rootRunId: row.root_run_id,
    memo: row.memo ? new Uint8Array(row.memo) : undefined,
    searchAttributes: JSON.parse(row.search_attributes) as Record<string, SearchAttributeValue>,
    version: row.version,
  };
}

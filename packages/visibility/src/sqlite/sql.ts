// A resolved List Filter query -> a SQLite WHERE clause with bound parameters. System attributes are columns;
// predefined and custom attributes live in one JSON column (KeywordList values are JSON arrays).
import type { ResolvedExpr, ResolvedName, ResolvedValue } from '../resolve.js';
import { IndexedValueType, statusFromName } from '../search-attributes.js';

export const SYSTEM_COLUMNS: Readonly<Record<string, string>> = {
  WorkflowId: 'workflow_id',
  RunId: 'run_id',
  WorkflowType: 'workflow_type',
  StartTime: 'start_time',
  ExecutionTime: 'execution_time',
  CloseTime: 'close_time',
  ExecutionStatus: 'status',
  TaskQueue: 'task_queue',
  HistoryLength: 'history_length',
  ExecutionDuration: 'execution_duration',
  StateTransitionCount: 'state_transition_count',
  HistorySizeBytes: 'history_size_bytes',
  ParentWorkflowId: 'parent_workflow_id',
  ParentRunId: 'parent_run_id',
  RootWorkflowId: 'root_workflow_id',
  RootRunId: 'root_run_id',
  TemporalNamespaceDivision: 'namespace_division',
};

/** Open runs sort first under "close time descending". */
export const SORT_CLOSE_TIME = "coalesce(close_time, '9999-12-31T23:59:59.999999999Z')";

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

export function columnOf(name: ResolvedName): string {
  const column = SYSTEM_COLUMNS[name.field];
  if (column) return column;
  // Field names are from a fixed set ([A-Za-z0-9]+), so inlining the JSON path is safe.
  return `json_extract(search_attributes, '$.${name.field}')`;
}

function bindValue(name: ResolvedName, value: ResolvedValue): unknown {
  if (name.field === 'ExecutionStatus') return statusFromName(value as string);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

export function toSql(expr: ResolvedExpr): SqlFragment {
  switch (expr.kind) {
    case 'and':
    case 'or': {
      const left = toSql(expr.left);
      const right = toSql(expr.right);
      return {
        sql: `(${left.sql} ${expr.kind.toUpperCase()} ${right.sql})`,
        params: [...left.params, ...right.params],
      };
    }
    case 'not': {
      const inner = toSql(expr.expr);
      return { sql: `NOT ${inner.sql}`, params: inner.params };
    }
    case 'is_null':
      return { sql: `(${columnOf(expr.name)} IS ${expr.negated ? 'NOT ' : ''}NULL)`, params: [] };
    case 'in': {
      // One JSON array parameter, not one per value: upstream takes IN lists of any length, and SQLite allows only
      // 32766 bound parameters per statement.
      const values = [JSON.stringify(expr.values.map((v) => bindValue(expr.name, v)))];
      const list = 'IN (SELECT value FROM json_each(?))';
      if (expr.name.type === IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST) {
        return { sql: `(${expr.negated ? 'NOT ' : ''}${listContains(expr.name, list)})`, params: values };
      }
      return { sql: `(${columnOf(expr.name)} ${expr.negated ? 'NOT ' : ''}${list})`, params: values };
    }
    case 'between':
      return {
        sql: `(${columnOf(expr.name)} ${expr.negated ? 'NOT BETWEEN' : 'BETWEEN'} ? AND ?)`,
        params: [bindValue(expr.name, expr.from), bindValue(expr.name, expr.to)],
      };
    case 'compare': {
      const column = columnOf(expr.name);
      const value = bindValue(expr.name, expr.value);
      switch (expr.name.type) {
        case IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST:
          return { sql: `(${expr.op === '!=' ? 'NOT ' : ''}${listContains(expr.name, '= ?')})`, params: [value] };
        case IndexedValueType.INDEXED_VALUE_TYPE_TEXT:
          return { sql: `(${expr.op === '!=' ? 'NOT ' : ''}text_match(${column}, ?))`, params: [value] };
      }
      switch (expr.op) {
        case 'starts_with':
          return { sql: `(substr(${column}, 1, length(?)) = ?)`, params: [value, value] };
        case 'not_starts_with':
          return { sql: `(substr(${column}, 1, length(?)) != ?)`, params: [value, value] };
        default:
          return { sql: `(${column} ${expr.op} ?)`, params: [value] };
      }
    }
  }
}

function listContains(name: ResolvedName, condition: string): string {
  return `EXISTS (SELECT 1 FROM json_each(search_attributes, '$.${name.field}') WHERE value ${condition})`;
}

/** Words of a text value as both stores compare them: lower-cased runs of letters and digits. */
export function textTokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** Text "=" means: every word of the query value occurs in the attribute (Elasticsearch match, operator AND). */
export function textMatch(text: unknown, query: unknown): number {
  if (typeof text !== 'string' || typeof query !== 'string') return 0;
  const words = new Set(textTokens(text));
  const wanted = textTokens(query);
  return wanted.length > 0 && wanted.every((w) => words.has(w)) ? 1 : 0;
}

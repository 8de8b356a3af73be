// A resolved List Filter query -> Elasticsearch query DSL. Documents carry system attributes under their own names
// (WorkflowId, StartTime ...), predefined attributes likewise, and custom attributes under their preallocated
// fields (Keyword01 ...), so a resolved field name is the document field.
import type { ResolvedExpr, ResolvedQuery } from '../resolve.js';
import { IndexedValueType } from '../search-attributes.js';

export type EsQuery = Record<string, unknown>;

export function toEsQuery(namespaceId: string, query: ResolvedQuery): EsQuery {
  const filter: EsQuery[] = [{ term: { NamespaceId: namespaceId } }];
  if (query.where) filter.push(toDsl(query.where));
  return { bool: { filter } };
}

function not(query: EsQuery): EsQuery {
  return { bool: { must_not: [query] } };
}

/** A negated comparison matches only runs that have the field, as SQL's NULL semantics do in the SQLite store. */
function notOnField(field: string, query: EsQuery): EsQuery {
  return { bool: { filter: [{ exists: { field } }], must_not: [query] } };
}

export function toDsl(expr: ResolvedExpr): EsQuery {
  switch (expr.kind) {
    case 'and':
      return { bool: { filter: [toDsl(expr.left), toDsl(expr.right)] } };
    case 'or':
      return { bool: { should: [toDsl(expr.left), toDsl(expr.right)], minimum_should_match: 1 } };
    case 'not':
      return not(toDsl(expr.expr));
    case 'is_null': {
      const exists = { exists: { field: expr.name.field } };
      return expr.negated ? exists : not(exists);
    }
    case 'in': {
      const terms = { terms: { [expr.name.field]: expr.values } };
      return expr.negated ? notOnField(expr.name.field, terms) : terms;
    }
    case 'between': {
      const range = { range: { [expr.name.field]: { gte: expr.from, lte: expr.to } } };
      return expr.negated ? notOnField(expr.name.field, range) : range;
    }
    case 'compare': {
      const field = expr.name.field;
      const value = expr.value;
      switch (expr.op) {
        case '=':
        case '!=': {
          const match =
            expr.name.type === IndexedValueType.INDEXED_VALUE_TYPE_TEXT
              ? { match: { [field]: { query: value, operator: 'and' } } }
              : { term: { [field]: value } };
          return expr.op === '=' ? match : notOnField(field, match);
        }
        case '<':
          return { range: { [field]: { lt: value } } };
        case '<=':
          return { range: { [field]: { lte: value } } };
        case '>':
          return { range: { [field]: { gt: value } } };
        case '>=':
          return { range: { [field]: { gte: value } } };
        case 'starts_with':
          return { prefix: { [field]: value } };
        case 'not_starts_with':
          return notOnField(field, { prefix: { [field]: value } });
        default:
          throw new Error(`operator ${expr.op} reached the Elasticsearch translation`);
      }
    }
  }
}

const DATE_NANOS_MAX = '2262-04-11T23:47:16.854775807Z';
const DATE_NANOS_MIN = '1677-09-21T00:12:43.145224192Z';

interface SortKey {
  field: string;
  descending: boolean;
  type: IndexedValueType;
  /** Where runs without the field go. */
  missingFirst: boolean;
}

/** Upstream's default order: open runs first, newest close, newest start; RunId keeps pages stable. */
export function sortKeys(query: ResolvedQuery): SortKey[] {
  const { INDEXED_VALUE_TYPE_DATETIME: DATETIME, INDEXED_VALUE_TYPE_KEYWORD: KEYWORD } = IndexedValueType;
  const runId = { field: 'RunId', descending: false, type: KEYWORD, missingFirst: false };
  if (!query.orderBy.length) {
    return [
      { field: 'CloseTime', descending: true, type: DATETIME, missingFirst: true },
      { field: 'StartTime', descending: true, type: DATETIME, missingFirst: false },
      runId,
    ];
  }
  return [
    ...query.orderBy.map((o) => ({
      field: o.name.field,
      descending: o.descending,
      type: o.name.type,
      missingFirst: false,
    })),
    runId,
  ];
}

/**
 * Sort clauses whose sort values survive a JSON round trip in a page token: dates come back formatted (a missing
 * one as null, see cursorValues), numbers get an explicit missing value inside JavaScript's safe range.
 */
export function toEsSort(keys: SortKey[]): EsQuery[] {
  return keys.map((k) => {
    const clause: EsQuery = { order: k.descending ? 'desc' : 'asc', missing: k.missingFirst ? '_first' : '_last' };
    if (k.type === IndexedValueType.INDEXED_VALUE_TYPE_DATETIME) clause.format = 'strict_date_optional_time_nanos';
    if (k.type === IndexedValueType.INDEXED_VALUE_TYPE_INT || k.type === IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE) {
      clause.missing = k.missingFirst === k.descending ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
    }
    return { [k.field]: clause };
  });
}

/** Search-after values for a page token: a missing date becomes the extreme it sorts as. */
export function cursorValues(keys: SortKey[], sort: unknown[]): unknown[] {
  return sort.map((value, i) => {
    const key = keys[i]!;
    if (value !== null || key.type !== IndexedValueType.INDEXED_VALUE_TYPE_DATETIME) return value;
    return key.missingFirst === key.descending ? DATE_NANOS_MAX : DATE_NANOS_MIN;
  });
}

// Resolves a parsed List Filter query against a namespace's search attributes: names to stored fields and types,
// literals to typed values, and upstream's rules on which operator fits which type
// (common/persistence/visibility/store/query/converter.go). Both stores translate the resolved form.
import { parseGoDurationNanos } from '@tempora/common';
import {
  parseQuery,
  QueryError,
  type ComparisonOperator,
  type Expr,
  type Literal,
  type Name,
  type OrderBy,
} from './query.js';
import {
  IndexedValueType,
  normalizeDatetime,
  statusFromName,
  statusName,
  typeName,
  type NamespaceSearchAttributes,
} from './search-attributes.js';

export interface ResolvedName {
  /** The name as written in the query. */
  alias: string;
  /** The stored field: a system or predefined name, or a preallocated custom field (Keyword01 ...). */
  field: string;
  type: IndexedValueType;
}

/** Typed values: Datetime as the normalized string, ExecutionStatus as its name ('Running'), ExecutionDuration in ns. */
export type ResolvedValue = string | number | boolean;

export type ResolvedExpr = Expr<ResolvedName, ResolvedValue>;

export interface ResolvedQuery {
  where?: ResolvedExpr;
  groupBy?: ResolvedName;
  orderBy: OrderBy<ResolvedName>[];
}

export interface ResolveOptions {
  /** Upstream's SQL stores reject ORDER BY; Elasticsearch accepts it. */
  allowOrderBy: boolean;
  /** GROUP BY is for CountWorkflowExecutions only. */
  allowGroupBy: boolean;
  /**
   * Schedule lists: `ScheduleId` names WorkflowId with this prefix added to its values (upstream's schedule query
   * converter, prefix `temporal-sys-scheduler:`).
   */
  scheduleIdPrefix?: string;
}

const SCHEDULE_ID = 'ScheduleId';

const NOT_SUPPORTED = 'operation is not supported';
const INVALID = 'invalid expression';

const {
  INDEXED_VALUE_TYPE_KEYWORD: KEYWORD,
  INDEXED_VALUE_TYPE_KEYWORD_LIST: KEYWORD_LIST,
  INDEXED_VALUE_TYPE_TEXT: TEXT,
} = IndexedValueType;

const COMPARISON: ComparisonOperator[] = ['=', '!=', '<', '<=', '>', '>='];
const OPERATORS_BY_TYPE: Partial<Record<IndexedValueType, ComparisonOperator[]>> = {
  [KEYWORD]: [...COMPARISON, 'starts_with', 'not_starts_with'],
  [KEYWORD_LIST]: ['=', '!='],
  [TEXT]: ['=', '!='],
};
const IN_TYPES_EXCLUDED = new Set<IndexedValueType>([TEXT]);
const RANGE_TYPES = new Set<IndexedValueType>([
  IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  IndexedValueType.INDEXED_VALUE_TYPE_INT,
  KEYWORD,
]);
const GROUP_BY_FIELDS = new Set(['ExecutionStatus', 'TemporalNamespaceDivision']);

/** Every list excludes executions of other namespace divisions (e.g. schedulers) unless the query names the division. */
const NAMESPACE_DIVISION = 'TemporalNamespaceDivision';

export function resolveQuery(
  query: string,
  attributes: NamespaceSearchAttributes,
  options: ResolveOptions,
): ResolvedQuery {
  return new Resolver(attributes, options.scheduleIdPrefix).resolve(query, options);
}

class Resolver {
  private mentionsDivision = false;

  constructor(
    private readonly attributes: NamespaceSearchAttributes,
    private readonly scheduleIdPrefix?: string,
  ) {}

  resolve(query: string, options: ResolveOptions): ResolvedQuery {
    const parsed = parseQuery(query);
    const result: ResolvedQuery = { orderBy: [] };
    if (parsed.where) result.where = this.expr(parsed.where);
    if (parsed.groupBy.length) {
      if (!options.allowGroupBy)
        throw new QueryError(`${NOT_SUPPORTED}: 'GROUP BY' clause`, 'GROUP', parsed.groupBy[0]!.position);
      if (parsed.groupBy.length > 1) {
        throw new QueryError(
          `${NOT_SUPPORTED}: 'GROUP BY' clause supports only a single field`,
          parsed.groupBy[1]!.name,
          parsed.groupBy[1]!.position,
        );
      }
      const name = this.name(parsed.groupBy[0]!);
      if (!GROUP_BY_FIELDS.has(name.field)) {
        throw new QueryError(
          `${NOT_SUPPORTED}: 'GROUP BY' clause is not supported for search attribute ${name.alias}`,
          name.alias,
          parsed.groupBy[0]!.position,
        );
      }
      result.groupBy = name;
    }
    if (parsed.orderBy.length) {
      const first = parsed.orderBy[0]!.name;
      if (!options.allowOrderBy) throw new QueryError(`${NOT_SUPPORTED}: 'ORDER BY' clause`, 'ORDER', first.position);
      for (const item of parsed.orderBy) {
        const name = this.name(item.name);
        if (name.type === TEXT) {
          throw new QueryError(
            `${NOT_SUPPORTED}: unable to sort by search attribute type ${typeName(TEXT)}`,
            name.alias,
            item.name.position,
          );
        }
        result.orderBy.push({ name, descending: item.descending });
      }
    }
    if (!this.mentionsDivision) {
      const division: ResolvedExpr = {
        kind: 'is_null',
        name: this.name({ name: NAMESPACE_DIVISION, position: 0 }),
        negated: false,
      };
      result.where = result.where ? { kind: 'and', left: { ...result.where }, right: division } : division;
    }
    return result;
  }

  private expr(expr: Expr): ResolvedExpr {
    switch (expr.kind) {
      case 'and':
      case 'or':
        return { kind: expr.kind, left: this.expr(expr.left), right: this.expr(expr.right) };
      case 'not':
        return { kind: 'not', expr: this.expr(expr.expr) };
      case 'is_null':
        return { kind: 'is_null', name: this.name(expr.name), negated: expr.negated };
      case 'compare': {
        const name = this.name(expr.name);
        const allowed = OPERATORS_BY_TYPE[name.type] ?? COMPARISON;
        if (!allowed.includes(expr.op)) throw operatorNotSupported(name, operatorText(expr.op), expr.name.position);
        return { kind: 'compare', name, op: expr.op, value: this.value(name, expr.value) };
      }
      case 'in': {
        const name = this.name(expr.name);
        if (IN_TYPES_EXCLUDED.has(name.type))
          throw operatorNotSupported(name, expr.negated ? 'NOT IN' : 'IN', expr.name.position);
        return { kind: 'in', name, negated: expr.negated, values: expr.values.map((v) => this.value(name, v)) };
      }
      case 'between': {
        const name = this.name(expr.name);
        if (!RANGE_TYPES.has(name.type)) {
          throw new QueryError(
            `${INVALID}: cannot do range condition on search attribute '${name.alias}' of type ${typeName(name.type)}`,
            name.alias,
            expr.name.position,
          );
        }
        return {
          kind: 'between',
          name,
          negated: expr.negated,
          from: this.value(name, expr.from),
          to: this.value(name, expr.to),
        };
      }
    }
  }

  private name(name: Name): ResolvedName {
    if (name.name === NAMESPACE_DIVISION) this.mentionsDivision = true;
    const scheduleId = name.name === SCHEDULE_ID && this.scheduleIdPrefix !== undefined;
    const resolved = this.attributes.resolve(scheduleId ? 'WorkflowId' : name.name);
    if (!resolved) {
      throw new QueryError(`invalid search attribute: ${name.name}`, name.name, name.position);
    }
    return { alias: name.name, field: resolved.field, type: resolved.type };
  }

  private value(name: ResolvedName, literal: Literal): ResolvedValue {
    if (name.field === 'ExecutionStatus') return executionStatusValue(literal);
    if (name.field === 'ExecutionDuration') return executionDurationValue(literal);
    if (name.alias === SCHEDULE_ID && this.scheduleIdPrefix !== undefined && literal.type === 'string') {
      return this.scheduleIdPrefix + literal.value;
    }
    const typeError = () =>
      new QueryError(
        `${INVALID}: invalid value type for search attribute ${name.alias} of type ${typeName(name.type)}: ${goValue(literal)}`,
        literalText(literal),
        literal.position,
      );
    switch (name.type) {
      case IndexedValueType.INDEXED_VALUE_TYPE_INT:
      case IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE:
        if (literal.type !== 'number') throw typeError();
        return literal.value;
      case IndexedValueType.INDEXED_VALUE_TYPE_BOOL:
        if (literal.type !== 'bool') throw typeError();
        return literal.value;
      case IndexedValueType.INDEXED_VALUE_TYPE_DATETIME: {
        if (literal.type === 'number' && isInt64Literal(literal)) return datetimeFromNanos(BigInt(literal.text));
        if (literal.type !== 'string') throw typeError();
        const normalized = normalizeDatetime(literal.value);
        if (!normalized)
          throw new QueryError(
            `${INVALID}: unable to parse datetime '${literal.value}'`,
            literal.value,
            literal.position,
          );
        return normalized;
      }
      default:
        if (literal.type !== 'string') throw typeError();
        return literal.value;
    }
  }
}

function operatorNotSupported(name: ResolvedName, operator: string, position: number): QueryError {
  return new QueryError(
    `${NOT_SUPPORTED}: operator '${operator}' not supported for ${typeName(name.type)} type search attribute '${name.alias}'`,
    operator,
    position,
  );
}

function operatorText(op: ComparisonOperator): string {
  return op.replace('not_', 'not ').toUpperCase();
}

/** A literal as upstream prints it (Go's %#v and %T): "abc" (type: string), 1 (type: int64). */
function goValue(literal: Literal): string {
  switch (literal.type) {
    case 'string':
      return `${JSON.stringify(literal.value)} (type: string)`;
    case 'number':
      return isInt64Literal(literal) ? `${literal.text} (type: int64)` : `${goFloat(literal.value)} (type: float64)`;
    case 'bool':
      return `${literal.value} (type: bool)`;
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** sqlparser's IntVal that Go's strconv.ParseInt takes; any other number is a float64 to upstream's converter. */
function isInt64Literal(literal: Literal): boolean {
  if (literal.type !== 'number' || !/^[+-]?\d+$/.test(literal.text)) return false;
  const value = BigInt(literal.text);
  return value >= INT64_MIN && value <= INT64_MAX;
}

/** A float64 as Go's %v prints it (strconv 'g', -1): shortest digits, exponent form below 1e-4 and from 1e6. */
function goFloat(value: number): string {
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 6) return String(value);
  const digits = String(Math.abs(exponent)).padStart(2, '0');
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${digits}`;
}

function unexpectedFloat(attribute: string, literal: Literal & { type: 'number' }): QueryError {
  return new QueryError(
    `${INVALID}: unexpected value type float64 for search attribute ${attribute}`,
    literal.text,
    literal.position,
  );
}

function literalText(literal: Literal): string {
  switch (literal.type) {
    case 'string':
      return `'${literal.value}'`;
    case 'number':
      return literal.text;
    case 'bool':
      return String(literal.value);
  }
}

function executionStatusValue(literal: Literal): string {
  if (literal.type === 'number') {
    if (!isInt64Literal(literal)) throw unexpectedFloat('ExecutionStatus', literal);
    const name = statusName(literal.value);
    if (name === 'Unspecified')
      throw new QueryError(`${INVALID}: invalid ExecutionStatus value ${literal.text}`, literal.text, literal.position);
    return name;
  }
  if (literal.type === 'string' && statusFromName(literal.value) !== undefined) return literal.value;
  const text = literalText(literal);
  throw new QueryError(`${INVALID}: invalid ExecutionStatus value ${text}`, text, literal.position);
}

const CLOCK_DURATION = /^(\d+):([0-5]\d):([0-5]\d)$/;

/** ExecutionDuration accepts nanoseconds, a Go duration ("1h30m", "250ms") or "hh:mm:ss". */
function executionDurationValue(literal: Literal): number {
  if (literal.type === 'number') {
    if (!isInt64Literal(literal)) throw unexpectedFloat('ExecutionDuration', literal);
    return literal.value;
  }
  if (literal.type === 'string') {
    const clock = CLOCK_DURATION.exec(literal.value);
    if (clock) return ((Number(clock[1]) * 60 + Number(clock[2])) * 60 + Number(clock[3])) * 1e9;
    const nanos = parseGoDurationNanos(literal.value);
    if (nanos !== undefined) return nanos;
  }
  const text = literalText(literal);
  throw new QueryError(
    `${INVALID}: invalid duration value for search attribute ExecutionDuration: ${text}`,
    text,
    literal.position,
  );
}

function datetimeFromNanos(nanos: bigint): string {
  const ms = Number(nanos / 1_000_000n);
  const rest = ((nanos % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  return `${new Date(ms).toISOString().slice(0, 19)}.${rest.toString().padStart(9, '0')}Z`;
}

import { describe, expect, it } from '@jest/globals';
import { parseQuery, QueryError } from './query.js';
import { resolveQuery } from './resolve.js';
import { IndexedValueType, NamespaceSearchAttributes, normalizeDatetime } from './search-attributes.js';

const attributes = new NamespaceSearchAttributes(
  new NamespaceSearchAttributes().allocate({
    CustomText: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
    CustomBool: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  }),
);
const resolve = (query: string, allowOrderBy = false, allowGroupBy = false) =>
  resolveQuery(query, attributes, { allowOrderBy, allowGroupBy });

function queryError(fn: () => unknown): QueryError {
  try {
    fn();
  } catch (err) {
    if (err instanceof QueryError) return err;
    throw err;
  }
  throw new Error('expected a QueryError');
}

describe('List Filter parser limits (upstream sqlparser)', () => {
  const terms = (n: number, join: string) => Array.from({ length: n }, () => "WorkflowId = 'a'").join(join);

  it('accepts 199 nested parentheses and refuses 200 at the 200th, even 100,000 deep (no stack overflow)', () => {
    expect(parseQuery(`${'('.repeat(199)}WorkflowId = 'a'${')'.repeat(199)}`).where).toMatchObject({ kind: 'compare' });
    for (const depth of [200, 100_000]) {
      const error = queryError(() => parseQuery(`${'('.repeat(depth)}WorkflowId = 'a'${')'.repeat(depth)}`));
      expect(error.message).toBe('malformed SQL query: max nesting level reached at position 200');
    }
  });

  it('counts NOTs and parentheses together', () => {
    expect(parseQuery(`${'NOT '.repeat(199)}WorkflowId = 'a'`).where).toMatchObject({ kind: 'not' });
    expect(queryError(() => parseQuery(`${'NOT '.repeat(300)}WorkflowId = 'a'`)).message).toBe(
      "malformed SQL query: max nesting level reached at position 797 near 'NOT'",
    );
    expect(queryError(() => parseQuery(`${'('.repeat(150)}${'NOT '.repeat(60)}x = 1${')'.repeat(150)}`)).message).toBe(
      "malformed SQL query: max nesting level reached at position 347 near 'NOT'",
    );
  });

  it('accepts a chain of 995 terms and refuses 996 (max ast depth), parentheses counting as a level', () => {
    expect(parseQuery(terms(995, ' AND ')).where).toMatchObject({ kind: 'and' });
    expect(parseQuery(terms(995, ' OR ')).where).toMatchObject({ kind: 'or' });
    for (const query of [
      terms(996, ' AND '),
      terms(100_000, ' OR '),
      `${'('.repeat(100)}${terms(896, ' AND ')}${')'.repeat(100)}`,
    ]) {
      expect(queryError(() => parseQuery(query)).message).toBe('malformed SQL query: max ast depth reached');
    }
    expect(parseQuery(`${'('.repeat(100)}${terms(895, ' AND ')}${')'.repeat(100)}`).where).toBeDefined();
  });

  it('reads numbers as upstream: float64 beyond int64 or with a dot or exponent, printed as Go does', () => {
    const message = (query: string) => queryError(() => resolve(query)).message;
    expect(message('WorkflowId = 1.5e10')).toBe(
      'invalid expression: invalid value type for search attribute WorkflowId of type Keyword: 1.5e+10 (type: float64)',
    );
    expect(message('StartTime > 1.5e10')).toBe(
      'invalid expression: invalid value type for search attribute StartTime of type Datetime: 1.5e+10 (type: float64)',
    );
    expect(message('StartTime > 99999999999999999999999')).toBe(
      'invalid expression: invalid value type for search attribute StartTime of type Datetime: 1e+23 (type: float64)',
    );
    expect(message('WorkflowId = 1234567.5')).toContain('1.2345675e+06 (type: float64)');
    expect(message('WorkflowId = 0.00001')).toContain('1e-05 (type: float64)');
    expect(message('WorkflowId = 123456.0')).toContain('123456 (type: float64)');
    expect(message('WorkflowId = 42')).toContain('42 (type: int64)');
    expect(message('ExecutionStatus = 1.5e10')).toBe(
      'invalid expression: unexpected value type float64 for search attribute ExecutionStatus',
    );
    expect(message('ExecutionDuration > 1.5e10')).toBe(
      'invalid expression: unexpected value type float64 for search attribute ExecutionDuration',
    );
    expect(message('HistoryLength = 1e400')).toBe('invalid expression: unable to parse value "1e400"');
    expect(resolve('HistoryLength = 1.5e10').where).toMatchObject({ left: { value: 1.5e10 } });
    expect(resolve('StartTime > 9223372036854775807').where).toMatchObject({
      left: { value: '2262-04-11T23:47:16.854775807Z' },
    });
  });
});

describe('List Filter parser', () => {
  it('parses precedence: NOT binds tighter than AND, AND tighter than OR', () => {
    const { where } = parseQuery("NOT a = 'x' OR b = 1 AND c IS NULL");
    expect(where).toMatchObject({
      kind: 'or',
      left: {
        kind: 'not',
        expr: { kind: 'compare', name: { name: 'a' }, op: '=', value: { type: 'string', value: 'x' } },
      },
      right: { kind: 'and', left: { kind: 'compare', op: '=' }, right: { kind: 'is_null', negated: false } },
    });
  });

  it('parses IN, NOT IN, BETWEEN, STARTS_WITH, IS NOT NULL, quoting and ORDER BY / GROUP BY', () => {
    const parsed = parseQuery(
      "`Odd Name` IN ('a', \"b\") AND x NOT IN (1, -2.5) AND y NOT BETWEEN 1 AND 2 AND z STARTS_WITH 'it''s' AND w IS NOT NULL GROUP BY ExecutionStatus ORDER BY StartTime DESC, RunId",
    );
    expect(JSON.stringify(parsed.where)).toContain('"name":"Odd Name"');
    expect(JSON.stringify(parsed.where)).toContain('"value":"it\'s"');
    expect(parsed.groupBy.map((n) => n.name)).toEqual(['ExecutionStatus']);
    expect(parsed.orderBy.map((o) => [o.name.name, o.descending])).toEqual([
      ['StartTime', true],
      ['RunId', false],
    ]);
  });

  it('accepts an empty query and a query of only ORDER BY', () => {
    expect(parseQuery('  ')).toEqual({ groupBy: [], orderBy: [] });
    expect(parseQuery('order by StartTime').orderBy).toHaveLength(1);
  });

  it.each([
    ["WorkflowType = 'a' AND", 'end of query', 23],
    ["WorkflowType = 'a' 'b'", "''b''", 20],
    ["(WorkflowType = 'a'", 'end of query', 20],
    ["WorkflowType == 'a'", "'='", 15],
    ["WorkflowType = 'a' ORDER StartTime", "'StartTime'", 26],
    ['WorkflowType # 1', "'#'", 14],
  ])('names the offending token and its position: %s', (query, near, position) => {
    const err = queryError(() => parseQuery(query));
    expect(err.message).toBe(`malformed SQL query: syntax error at position ${position} near ${near}`);
    expect(err.position).toBe(position);
  });

  it('rejects an unterminated string and LIMIT', () => {
    expect(queryError(() => parseQuery("WorkflowId = 'abc")).message).toBe(
      'malformed SQL query: unterminated string at position 14',
    );
    expect(queryError(() => parseQuery("WorkflowId = 'a' LIMIT 5")).message).toBe(
      "operation is not supported: 'LIMIT' clause",
    );
  });
});

describe('query resolution (upstream messages)', () => {
  it.each([
    ["Foo = 'x'", 'invalid search attribute: Foo'],
    [
      "WorkflowType LIKE 'a'",
      "operation is not supported: operator 'LIKE' not supported for Keyword type search attribute 'WorkflowType'",
    ],
    [
      "TemporalChangeVersion STARTS_WITH 'a'",
      "operation is not supported: operator 'STARTS_WITH' not supported for KeywordList type search attribute 'TemporalChangeVersion'",
    ],
    [
      "CustomText > 'a'",
      "operation is not supported: operator '>' not supported for Text type search attribute 'CustomText'",
    ],
    [
      "CustomText IN ('a')",
      "operation is not supported: operator 'IN' not supported for Text type search attribute 'CustomText'",
    ],
    [
      "HistoryLength = 'abc'",
      'invalid expression: invalid value type for search attribute HistoryLength of type Int: "abc" (type: string)',
    ],
    [
      'RunId BETWEEN 1 AND 2',
      'invalid expression: invalid value type for search attribute RunId of type Keyword: 1 (type: int64)',
    ],
    [
      'CustomBool BETWEEN true AND false',
      "invalid expression: cannot do range condition on search attribute 'CustomBool' of type Bool",
    ],
    ["StartTime > 'notadate'", "invalid expression: unable to parse datetime 'notadate'"],
    ["StartTime > '2024-02-30T00:00:00Z'", "invalid expression: unable to parse datetime '2024-02-30T00:00:00Z'"],
    ["ExecutionStatus = 'Bogus'", "invalid expression: invalid ExecutionStatus value 'Bogus'"],
    ['ExecutionStatus = 99', 'invalid expression: invalid ExecutionStatus value 99'],
    [
      "ExecutionDuration > 'soon'",
      "invalid expression: invalid duration value for search attribute ExecutionDuration: 'soon'",
    ],
    [
      'WorkflowType = abc',
      'operation is not supported: column name on the right side of comparison expression (did you forget to quote "abc"?)',
    ],
    ['ORDER BY StartTime', "operation is not supported: 'ORDER BY' clause"],
    ['GROUP BY ExecutionStatus', "operation is not supported: 'GROUP BY' clause"],
  ])('%s', (query, message) => {
    expect(queryError(() => resolve(query)).message).toBe(message);
  });

  it('limits GROUP BY to ExecutionStatus and ORDER BY to non-Text attributes', () => {
    expect(queryError(() => resolve('GROUP BY WorkflowType', false, true)).message).toBe(
      "operation is not supported: 'GROUP BY' clause is not supported for search attribute WorkflowType",
    );
    expect(queryError(() => resolve('ORDER BY CustomText', true)).message).toBe(
      'operation is not supported: unable to sort by search attribute type Text',
    );
    expect(resolve('GROUP BY ExecutionStatus', false, true).groupBy?.field).toBe('ExecutionStatus');
  });

  it('resolves custom names to their fields and typed values, and hides other namespace divisions', () => {
    const resolved = resolve(
      "CustomBool = true AND StartTime > '2024-01-01T01:00:00+01:00' AND ExecutionStatus = 2 AND ExecutionDuration > '1m30s'",
    );
    const text = JSON.stringify(resolved.where);
    expect(text).toContain('"field":"Bool01"');
    expect(text).toContain('"value":"2024-01-01T00:00:00.000000000Z"');
    expect(text).toContain('"value":"Completed"');
    expect(text).toContain('"value":90000000000');
    expect(text).toContain('"field":"TemporalNamespaceDivision"');
    expect(JSON.stringify(resolve("TemporalNamespaceDivision = 'x'").where)).not.toContain('is_null');
  });
});

describe('datetimes', () => {
  it('normalizes RFC 3339 to fixed-width UTC with nanoseconds', () => {
    expect(normalizeDatetime('2024-03-01T12:00:00.5+02:00')).toBe('2024-03-01T10:00:00.500000000Z');
    expect(normalizeDatetime('2024-03-01T12:00:00.123456789Z')).toBe('2024-03-01T12:00:00.123456789Z');
    expect(normalizeDatetime('2024-13-01T00:00:00Z')).toBeUndefined();
    expect(normalizeDatetime('yesterday')).toBeUndefined();
  });
});

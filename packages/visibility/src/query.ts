// Temporal's List Filter language: tokenizer and recursive-descent parser to an AST. The grammar is the WHERE
// clause upstream hands to its SQL parser, plus GROUP BY / ORDER BY:
//
//   query      := [expr] [GROUP BY name] [ORDER BY name [ASC|DESC] {, name [ASC|DESC]}]
//   expr       := and {OR and}
//   and        := not {AND not}
//   not        := NOT not | primary
//   primary    := ( expr ) | name IS [NOT] NULL | name [NOT] BETWEEN value AND value | name [NOT] IN ( value {, value} )
//               | name [NOT] STARTS_WITH value | name op value            op := = | != | <> | < | <= | > | >= | LIKE
//   name       := identifier | `quoted identifier`
//   value      := 'string' | "string" | number | TRUE | FALSE
//
// Every error is a QueryError carrying the offending token and its 1-based position in the query.
//
// Upstream's parser (temporalio/sqlparser) bounds hostile queries, and so does this one, with its limits and
// messages: at most 199 open parentheses and NOTs at once ("max nesting level reached"), and a tree at most 994
// levels deep ("max ast depth reached"). Long AND/OR chains are built by loops, so only nesting recurses.

export type ComparisonOperator =
  '=' | '!=' | '<' | '<=' | '>' | '>=' | 'starts_with' | 'not_starts_with' | 'like' | 'not_like';

export interface Name {
  name: string;
  position: number;
}

export type Literal =
  | { type: 'string'; value: string; position: number }
  | { type: 'number'; value: number; text: string; position: number }
  | { type: 'bool'; value: boolean; position: number };

export type Expr<N = Name, V = Literal> =
  | { kind: 'and' | 'or'; left: Expr<N, V>; right: Expr<N, V> }
  | { kind: 'not'; expr: Expr<N, V> }
  | { kind: 'compare'; name: N; op: ComparisonOperator; value: V }
  | { kind: 'in'; name: N; negated: boolean; values: V[] }
  | { kind: 'between'; name: N; negated: boolean; from: V; to: V }
  | { kind: 'is_null'; name: N; negated: boolean };

export interface OrderBy<N = Name> {
  name: N;
  descending: boolean;
}

export interface ParsedQuery {
  where?: Expr;
  groupBy: Name[];
  orderBy: OrderBy[];
}

/** A query the parser or the resolver rejected; services answer INVALID_ARGUMENT "invalid query: <message>". */
export class QueryError extends Error {
  override name = 'QueryError';
  constructor(
    message: string,
    readonly token?: string,
    readonly position?: number,
  ) {
    super(message);
  }
}

const MALFORMED = 'malformed SQL query';
/** sqlparser fails when its nesting counter (open parentheses plus NOTs) reaches 200. */
const MAX_NESTING = 200;
/**
 * sqlparser's limit is 1000 levels of its own tree, which puts a SELECT, a WHERE and a comparison's column nodes
 * around ours: a chain of 995 terms joined by AND (994 levels here) is accepted, 996 is not, as the official
 * server answers.
 */
const MAX_DEPTH = 995;

type TokenType = 'identifier' | 'keyword' | 'string' | 'number' | 'operator' | 'punct' | 'end';

interface Token {
  type: TokenType;
  /** Keywords upper-cased; identifiers and strings as written (strings unescaped). */
  value: string;
  /** The token as it appears in the query. */
  text: string;
  position: number;
}

const KEYWORDS = new Set([
  'AND',
  'OR',
  'NOT',
  'IN',
  'BETWEEN',
  'IS',
  'NULL',
  'STARTS_WITH',
  'LIKE',
  'ORDER',
  'GROUP',
  'BY',
  'ASC',
  'DESC',
  'LIMIT',
  'TRUE',
  'FALSE',
  'SELECT',
  'FROM',
  'WHERE',
  'HAVING',
]);

const OPERATORS = ['<=', '>=', '!=', '<>', '=', '<', '>'];

export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    const position = start + 1;
    if (c === "'" || c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= query.length)
          throw new QueryError(
            `${MALFORMED}: unterminated string at position ${position}`,
            query.slice(start),
            position,
          );
        const ch = query[i]!;
        if (ch === '\\' && i + 1 < query.length) {
          value += unescape(query[i + 1]!);
          i += 2;
        } else if (ch === c && query[i + 1] === c) {
          value += c;
          i += 2;
        } else if (ch === c) {
          i++;
          break;
        } else {
          value += ch;
          i++;
        }
      }
      tokens.push({ type: 'string', value, text: query.slice(start, i), position });
    } else if (c === '`') {
      const end = query.indexOf('`', i + 1);
      if (end < 0)
        throw new QueryError(
          `${MALFORMED}: unterminated identifier at position ${position}`,
          query.slice(start),
          position,
        );
      i = end + 1;
      tokens.push({ type: 'identifier', value: query.slice(start + 1, end), text: query.slice(start, i), position });
    } else if (/[0-9]/.test(c) || ((c === '-' || c === '+' || c === '.') && /[0-9.]/.test(query[i + 1] ?? ''))) {
      i++;
      while (i < query.length && /[0-9.eE]/.test(query[i]!)) {
        if (/[eE]/.test(query[i]!) && /[+-]/.test(query[i + 1] ?? '')) i++;
        i++;
      }
      const text = query.slice(start, i);
      tokens.push({ type: 'number', value: text, text, position });
    } else if (/[A-Za-z_]/.test(c)) {
      while (i < query.length && /[A-Za-z0-9_.$]/.test(query[i]!)) i++;
      const text = query.slice(start, i);
      const upper = text.toUpperCase();
      tokens.push(
        KEYWORDS.has(upper)
          ? { type: 'keyword', value: upper, text, position }
          : { type: 'identifier', value: text, text, position },
      );
    } else {
      const op = OPERATORS.find((o) => query.startsWith(o, i));
      if (op) {
        i += op.length;
        tokens.push({ type: 'operator', value: op === '<>' ? '!=' : op, text: op, position });
      } else if (c === '(' || c === ')' || c === ',') {
        i++;
        tokens.push({ type: 'punct', value: c, text: c, position });
      } else {
        throw new QueryError(`${MALFORMED}: syntax error at position ${position} near '${c}'`, c, position);
      }
    }
  }
  tokens.push({ type: 'end', value: '', text: '', position: query.length + 1 });
  return tokens;
}

function unescape(c: string): string {
  switch (c) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case 'r':
      return '\r';
    case '0':
      return '\0';
    default:
      return c;
  }
}

/** Parses a List Filter query. An empty query (or only whitespace) matches everything. */
export function parseQuery(query: string): ParsedQuery {
  return new Parser(tokenize(query)).parse();
}

class Parser {
  private index = 0;
  private nesting = 0;
  /** Levels below each node (a parenthesis counts as one, as sqlparser's ParenExpr); leaves are absent (0). */
  private readonly depths = new WeakMap<Expr, number>();

  constructor(private readonly tokens: Token[]) {}

  parse(): ParsedQuery {
    const result: ParsedQuery = { groupBy: [], orderBy: [] };
    if (!this.atKeyword('ORDER') && !this.atKeyword('GROUP') && this.peek().type !== 'end') {
      result.where = this.parseOr();
      if (this.depth(result.where) >= MAX_DEPTH) throw new QueryError(`${MALFORMED}: max ast depth reached`);
    }
    if (this.acceptKeyword('GROUP')) {
      this.expectKeyword('BY');
      do result.groupBy.push(this.parseName());
      while (this.acceptPunct(','));
    }
    if (this.acceptKeyword('ORDER')) {
      this.expectKeyword('BY');
      do {
        const name = this.parseName();
        const descending = this.acceptKeyword('DESC');
        if (!descending) this.acceptKeyword('ASC');
        result.orderBy.push({ name, descending });
      } while (this.acceptPunct(','));
    }
    if (this.atKeyword('LIMIT'))
      throw new QueryError("operation is not supported: 'LIMIT' clause", 'LIMIT', this.peek().position);
    const rest = this.peek();
    if (rest.type !== 'end') throw this.syntaxError(rest);
    return result;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.acceptKeyword('OR')) left = this.binary('or', left, this.parseAnd());
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.acceptKeyword('AND')) left = this.binary('and', left, this.parseNot());
    return left;
  }

  private binary(kind: 'and' | 'or', left: Expr, right: Expr): Expr {
    const expr: Expr = { kind, left, right };
    this.depths.set(expr, 1 + Math.max(this.depth(left), this.depth(right)));
    return expr;
  }

  private depth(expr: Expr): number {
    return this.depths.get(expr) ?? 0;
  }

  private parseNot(): Expr {
    const not = this.peek();
    if (this.acceptKeyword('NOT')) {
      this.enter(not, ` near '${not.text}'`);
      const inner = this.parseNot();
      this.nesting--;
      const expr: Expr = { kind: 'not', expr: inner };
      this.depths.set(expr, 1 + this.depth(inner));
      return expr;
    }
    return this.parsePrimary();
  }

  private enter(token: Token, near: string): void {
    if (++this.nesting >= MAX_NESTING) {
      throw new QueryError(
        `${MALFORMED}: max nesting level reached at position ${token.position}${near}`,
        token.text,
        token.position,
      );
    }
  }

  private parsePrimary(): Expr {
    const open = this.peek();
    if (this.acceptPunct('(')) {
      this.enter(open, '');
      const expr = this.parseOr();
      this.expectPunct(')');
      this.nesting--;
      this.depths.set(expr, 1 + this.depth(expr));
      return expr;
    }
    const token = this.peek();
    if (token.type === 'string' || token.type === 'number') {
      throw new QueryError(
        `invalid expression: value ${token.text} must follow a search attribute name`,
        token.text,
        token.position,
      );
    }
    const name = this.parseName();
    const next = this.peek();
    if (
      next.type === 'end' ||
      this.atKeyword('AND') ||
      this.atKeyword('OR') ||
      (next.type === 'punct' && next.value === ')')
    ) {
      throw new QueryError(`invalid expression: incomplete expression after '${name.name}'`, name.name, name.position);
    }
    if (this.acceptKeyword('IS')) {
      const negated = this.acceptKeyword('NOT');
      this.expectKeyword('NULL');
      return { kind: 'is_null', name, negated };
    }
    const negated = this.acceptKeyword('NOT');
    if (this.acceptKeyword('BETWEEN')) {
      const from = this.parseValue();
      this.expectKeyword('AND');
      return { kind: 'between', name, negated, from, to: this.parseValue() };
    }
    if (this.acceptKeyword('IN')) {
      this.expectPunct('(');
      const values: Literal[] = [];
      do values.push(this.parseValue());
      while (this.acceptPunct(','));
      this.expectPunct(')');
      return { kind: 'in', name, negated, values };
    }
    if (this.acceptKeyword('STARTS_WITH')) {
      return { kind: 'compare', name, op: negated ? 'not_starts_with' : 'starts_with', value: this.parseValue() };
    }
    if (this.acceptKeyword('LIKE'))
      return { kind: 'compare', name, op: negated ? 'not_like' : 'like', value: this.parseValue() };
    const op = this.peek();
    if (negated || op.type !== 'operator') throw this.syntaxError(op);
    this.index++;
    return { kind: 'compare', name, op: op.value as ComparisonOperator, value: this.parseValue() };
  }

  private parseName(): Name {
    const token = this.peek();
    if (token.type !== 'identifier') throw this.syntaxError(token);
    this.index++;
    return { name: token.value, position: token.position };
  }

  private parseValue(): Literal {
    const token = this.peek();
    this.index++;
    switch (token.type) {
      case 'string':
        return { type: 'string', value: token.value, position: token.position };
      case 'number': {
        const value = Number(token.value);
        if (Number.isNaN(value)) break;
        // Beyond float64 (1e400): what upstream's converter says when strconv refuses the literal.
        if (!Number.isFinite(value)) {
          throw new QueryError(`invalid expression: unable to parse value "${token.text}"`, token.text, token.position);
        }
        return { type: 'number', value, text: token.text, position: token.position };
      }
      case 'keyword':
        if (token.value === 'TRUE' || token.value === 'FALSE')
          return { type: 'bool', value: token.value === 'TRUE', position: token.position };
        break;
      case 'identifier':
        throw new QueryError(
          `operation is not supported: column name on the right side of comparison expression (did you forget to quote ${JSON.stringify(token.value)}?)`,
          token.text,
          token.position,
        );
    }
    this.index--;
    throw this.syntaxError(token);
  }

  private syntaxError(token: Token): QueryError {
    const near = token.type === 'end' ? 'end of query' : `'${token.text}'`;
    return new QueryError(
      `${MALFORMED}: syntax error at position ${token.position} near ${near}`,
      token.text,
      token.position,
    );
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private atKeyword(keyword: string): boolean {
    const token = this.peek();
    return token.type === 'keyword' && token.value === keyword;
  }

  private acceptKeyword(keyword: string): boolean {
    if (!this.atKeyword(keyword)) return false;
    this.index++;
    return true;
  }

  private expectKeyword(keyword: string): void {
    if (!this.acceptKeyword(keyword)) throw this.syntaxError(this.peek());
  }

  private acceptPunct(punct: string): boolean {
    const token = this.peek();
    if (token.type !== 'punct' || token.value !== punct) return false;
    this.index++;
    return true;
  }

  private expectPunct(punct: string): void {
    if (!this.acceptPunct(punct)) throw this.syntaxError(this.peek());
  }
}

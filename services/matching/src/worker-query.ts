// ListWorkers / CountWorkers queries (upstream service/matching/workers/worker_query_engine.go): the List Filter
// grammar (parsed by @tempora/visibility) over a worker's heartbeat. String fields take =, !=, STARTS_WITH,
// NOT STARTS_WITH, IS [NOT] NULL; StartTime and HeartbeatTime take comparisons, [NOT] BETWEEN and IS [NOT] NULL with
// RFC 3339 values; conditions combine with AND, OR and parentheses. NOT, IN, LIKE, ORDER BY and unknown fields are
// INVALID_ARGUMENT with upstream's messages. Field names are case-sensitive, as upstream's.
import type { WorkerHeartbeat } from '@tempora/proto/worker';
import { WorkerStatus } from '@tempora/proto/enums';
import { invalidArgument } from '@tempora/rpc';
import { parseQuery, QueryError, type Expr, type Literal } from '@tempora/visibility';

export type WorkerPredicate = (hb: WorkerHeartbeat) => boolean;

/** Upstream prints statuses with Go's enum String(): WORKER_STATUS_SHUTTING_DOWN is "ShuttingDown". */
function statusName(status: WorkerStatus): string {
  const name = WorkerStatus[status] ?? 'WORKER_STATUS_UNSPECIFIED';
  return name
    .replace('WORKER_STATUS_', '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_, _sep: string, c: string) => c.toUpperCase());
}

const STRING_FIELDS: Record<string, (hb: WorkerHeartbeat) => string> = {
  WorkerInstanceKey: (hb) => hb.workerInstanceKey,
  WorkerIdentity: (hb) => hb.workerIdentity,
  HostName: (hb) => hb.hostInfo?.hostName ?? '',
  TaskQueue: (hb) => hb.taskQueue,
  DeploymentName: (hb) => hb.deploymentVersion?.deploymentName ?? '',
  BuildId: (hb) => hb.deploymentVersion?.buildId ?? '',
  SdkName: (hb) => hb.sdkName,
  SdkVersion: (hb) => hb.sdkVersion,
  WorkerStatus: (hb) => statusName(hb.status),
  Status: (hb) => statusName(hb.status),
};

const TIME_FIELDS: Record<string, (hb: WorkerHeartbeat) => Date | undefined> = {
  StartTime: (hb) => hb.startTime,
  HeartbeatTime: (hb) => hb.heartbeatTime,
};

const NOT_SUPPORTED = 'operation is not supported';
const unknownField = (name: string) => invalidArgument(`unknown or unsupported worker heartbeat search field: ${name}`);

/** Compiles `query` (empty: every worker) into a predicate, or throws INVALID_ARGUMENT. */
export function compileWorkerQuery(query: string): WorkerPredicate {
  if (!query.trim()) return () => true;
  let parsed;
  try {
    parsed = parseQuery(query);
  } catch (err) {
    if (err instanceof QueryError) throw invalidArgument(`malformed query: ${err.message}`);
    throw err;
  }
  if (parsed.groupBy.length || parsed.orderBy.length) {
    throw invalidArgument(`${NOT_SUPPORTED}: 'group by' and 'order by' clauses`);
  }
  return parsed.where ? compile(parsed.where) : () => true;
}

function compile(expr: Expr): WorkerPredicate {
  switch (expr.kind) {
    case 'and': {
      const [left, right] = [compile(expr.left), compile(expr.right)];
      return (hb) => left(hb) && right(hb);
    }
    case 'or': {
      const [left, right] = [compile(expr.left), compile(expr.right)];
      return (hb) => left(hb) || right(hb);
    }
    case 'not':
      throw invalidArgument(`${NOT_SUPPORTED}: 'not' expression`);
    case 'in':
      throw invalidArgument(`${NOT_SUPPORTED}: 'in' expression`);
    case 'is_null': {
      const get = fieldText(expr.name.name);
      return (hb) => (get(hb) === '') !== expr.negated;
    }
    case 'between': {
      const get = TIME_FIELDS[expr.name.name];
      if (!get) throw invalidArgument(`unknown or unsupported column name: ${expr.name.name}`);
      const [from, to] = [timeValue(expr.name.name, expr.from), timeValue(expr.name.name, expr.to)];
      return (hb) => {
        const t = get(hb)?.getTime();
        // A time the heartbeat did not carry matches no range, negated or not (upstream).
        if (t === undefined) return false;
        return (t >= from && t <= to) !== expr.negated;
      };
    }
    case 'compare':
      return compileComparison(expr.name.name, expr.op, expr.value);
  }
}

/** A field read as text for IS NULL: empty strings and unset times are null. */
function fieldText(name: string): (hb: WorkerHeartbeat) => string {
  const text = STRING_FIELDS[name];
  if (text) return text;
  const time = TIME_FIELDS[name];
  if (time) return (hb) => (time(hb) ? 'set' : '');
  throw unknownField(name);
}

function compileComparison(name: string, op: string, value: Literal): WorkerPredicate {
  const text = STRING_FIELDS[name];
  if (text) {
    if (value.type !== 'string') throw invalidArgument(`invalid value for ${name}: expected a string`);
    const v = value.value;
    if (!v) throw invalidArgument(`${name} cannot be empty`);
    switch (op) {
      case '=':
        return (hb) => text(hb) === v;
      case '!=':
        return (hb) => text(hb) !== v;
      case 'starts_with':
        return (hb) => text(hb).startsWith(v);
      case 'not_starts_with':
        return (hb) => !text(hb).startsWith(v);
      default:
        throw invalidArgument(`invalid expression: operation ${op} is not supported for ${name} column`);
    }
  }
  const time = TIME_FIELDS[name];
  if (!time) throw unknownField(name);
  const expected = timeValue(name, value);
  const compare: Record<string, (t: number) => boolean> = {
    '=': (t) => t === expected,
    '!=': (t) => t !== expected,
    '>': (t) => t > expected,
    '>=': (t) => t >= expected,
    '<': (t) => t < expected,
    '<=': (t) => t <= expected,
  };
  const test = compare[op];
  if (!test) throw invalidArgument(`invalid expression: operation ${op} is not supported`);
  // An unset time reads as the zero time, as Go's AsTime() of a nil timestamp does.
  return (hb) => test(time(hb)?.getTime() ?? 0);
}

/** An RFC 3339 string or a number of Unix nanoseconds (upstream's sqlquery.ConvertToTime), as epoch ms. */
function timeValue(name: string, value: Literal): number {
  if (value.type === 'number') return value.value / 1e6;
  const ms = value.type === 'string' ? Date.parse(value.value) : NaN;
  if (Number.isNaN(ms)) throw invalidArgument(`invalid value for ${name}: ${JSON.stringify(value.value)}`);
  return ms;
}

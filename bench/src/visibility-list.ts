// `pnpm bench -- --visibility-list N`: list latency over N visibility records, on the SQLite store and (when it
// answers) on Elasticsearch. Records are written straight through the VisibilityStore in bulk batches, then each
// typical query is timed on its first page of 100 (and one deep page), repeated, and reported as p50/p95.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  IndexedValueType,
  NamespaceSearchAttributes,
  openElasticsearchVisibilityStore,
  openSqliteVisibilityStore,
  resolveQuery,
  type VisibilityRecord,
  type VisibilityStore,
} from '@tempora/visibility';

const BATCH = 2_000;
const PAGE_SIZE = 100;
const REPEATS = 30;
const STATUSES = [1, 1, 2, 2, 2, 2, 3, 4, 5, 7];

const attributes = new NamespaceSearchAttributes(
  new NamespaceSearchAttributes().allocate({
    CustomKeywordField: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    CustomIntField: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  }),
);
const keywordField = attributes.resolve('CustomKeywordField')!.field;
const intField = attributes.resolve('CustomIntField')!.field;
const T0 = Date.parse('2024-01-01T00:00:00Z');

function record(namespaceId: string, i: number): VisibilityRecord {
  const status = STATUSES[i % STATUSES.length]!;
  const startTime = T0 + i * 1_000;
  const closed = status !== 1;
  const runId = randomUUID();
  return {
    namespaceId,
    workflowId: `wf-${i}`,
    runId,
    workflowType: `Type-${i % 20}`,
    taskQueue: `queue-${i % 5}`,
    status,
    startTime,
    executionTime: startTime,
    closeTime: closed ? startTime + 60_000 : undefined,
    executionDuration: closed ? 60_000 * 1e6 : undefined,
    historyLength: 11,
    historySizeBytes: 2_048,
    stateTransitionCount: 8,
    rootWorkflowId: `wf-${i}`,
    rootRunId: runId,
    searchAttributes: { [keywordField]: `k-${i % 1000}`, [intField]: i },
    version: 1,
  };
}

const QUERIES: [string, string][] = [
  ['all (default order)', ''],
  ['ExecutionStatus = Running', "ExecutionStatus = 'Running'"],
  ['WorkflowType = Type-7', "WorkflowType = 'Type-7'"],
  ['WorkflowId = (one run)', "WorkflowId = 'wf-4242'"],
  ['custom Keyword = (0.1%)', "CustomKeywordField = 'k-123'"],
  ['StartTime range + status', "StartTime > '2024-01-01T10:00:00Z' AND ExecutionStatus = 'Completed'"],
  ['custom Int range', 'CustomIntField BETWEEN 1000 AND 2000'],
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function time(fn: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const start = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

async function benchStore(
  label: string,
  store: VisibilityStore,
  count: number,
  progress: (m: string) => void,
): Promise<string[]> {
  const namespaceId = randomUUID();
  const loadStart = Date.now();
  for (let i = 0; i < count; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - i) }, (_, j) => record(namespaceId, i + j));
    await store.write(batch.map((r) => ({ kind: 'upsert' as const, record: r })));
    if ((i / BATCH) % 10 === 0) progress(`${label}: wrote ${i + batch.length}/${count}`);
  }
  const loadSeconds = (Date.now() - loadStart) / 1000;
  const rows = [
    `${label}: loaded ${count} records in ${loadSeconds.toFixed(1)} s (${Math.round(count / loadSeconds)}/s)`,
  ];
  const resolve = (q: string, groupBy = false) =>
    resolveQuery(q, attributes, { allowOrderBy: store.supportsOrderBy, allowGroupBy: groupBy });
  const line = (name: string, t: { p50: number; p95: number }) =>
    `  ${name.padEnd(36)} p50 ${t.p50.toFixed(1).padStart(7)} ms   p95 ${t.p95.toFixed(1).padStart(7)} ms`;
  for (const [name, q] of QUERIES) {
    const query = resolve(q);
    rows.push(line(`list ${name}`, await time(() => store.list({ namespaceId, query, pageSize: PAGE_SIZE }))));
  }
  const query = resolve('');
  let token: Uint8Array | undefined;
  for (let page = 0; page < 10; page++)
    token = (await store.list({ namespaceId, query, pageSize: PAGE_SIZE, pageToken: token })).nextPageToken;
  rows.push(
    line(
      'list all, 11th page (token)',
      await time(() => store.list({ namespaceId, query, pageSize: PAGE_SIZE, pageToken: token })),
    ),
  );
  rows.push(line('count', await time(() => store.count({ namespaceId, query: resolve('') }))));
  rows.push(
    line(
      'count GROUP BY ExecutionStatus',
      await time(() => store.count({ namespaceId, query: resolve('GROUP BY ExecutionStatus', true) })),
    ),
  );
  return rows;
}

export async function runVisibilityListBench(
  count: number,
  esUrl: string,
  progress: (m: string) => void,
): Promise<string> {
  const out: string[] = [
    `visibility list latency, ${count} executions, page size ${PAGE_SIZE}, ${REPEATS} repeats per query`,
  ];
  const dir = mkdtempSync(join(tmpdir(), 'tempora-bench-visibility-'));
  const sqlite = openSqliteVisibilityStore({ file: join(dir, 'visibility.db') });
  try {
    out.push(...(await benchStore('sqlite (file)', sqlite, count, progress)));
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const reachable = await fetch(new URL('/_cluster/health', esUrl), { signal: AbortSignal.timeout(3_000) }).then(
    (r) => r.ok,
    () => false,
  );
  if (!reachable) {
    out.push(`elasticsearch: skipped, nothing answers at ${esUrl} (deploy/local/elasticsearch.sh start)`);
    return out.join('\n');
  }
  const index = `tempora-bench-visibility-${Date.now()}`;
  const es = await openElasticsearchVisibilityStore({ url: esUrl, index });
  try {
    const rows = await benchStore('elasticsearch', es, count, progress);
    out.push(...rows);
  } finally {
    await es.close();
    await fetch(new URL(`/${index}`, esUrl), { method: 'DELETE' });
    await fetch(new URL(`/_index_template/${index}-template`, esUrl), { method: 'DELETE' });
  }
  return out.join('\n');
}

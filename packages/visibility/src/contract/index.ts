// The visibility contract suite: what every VisibilityStore must do, written against the interface only. Each
// store's test file calls describeVisibilityContract with a way to open it. Every test uses a fresh namespace id,
// so the suite also runs against a shared backend.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WorkflowExecutionStatus } from '@tempora/proto/enums';
import { resolveQuery } from '../resolve.js';
import { IndexedValueType, NamespaceSearchAttributes } from '../search-attributes.js';
import { InvalidPageTokenError, type VisibilityRecord, type VisibilityStore } from '../store.js';

const {
  WORKFLOW_EXECUTION_STATUS_RUNNING: RUNNING,
  WORKFLOW_EXECUTION_STATUS_COMPLETED: COMPLETED,
  WORKFLOW_EXECUTION_STATUS_FAILED: FAILED,
} = WorkflowExecutionStatus;

const T0 = Date.parse('2024-05-01T10:00:00Z');
const MINUTE = 60_000;

// The namespace's custom attributes: CustomKeywordField -> Keyword01, and so on.
const ATTRIBUTES = new NamespaceSearchAttributes(
  Object.fromEntries(
    Object.entries(
      new NamespaceSearchAttributes().allocate({
        CustomKeywordField: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        CustomIntField: IndexedValueType.INDEXED_VALUE_TYPE_INT,
        CustomDoubleField: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
        CustomBoolField: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
        CustomDatetimeField: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
        CustomTextField: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
        CustomKeywordListField: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
      }),
    ),
  ),
);
const field = (alias: string) => ATTRIBUTES.resolve(alias)!.field;

function record(namespaceId: string, n: number, overrides: Partial<VisibilityRecord> = {}): VisibilityRecord {
  const runId = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  return {
    namespaceId,
    workflowId: `wf-${n}`,
    runId,
    workflowType: n % 2 ? 'OddWorkflow' : 'EvenWorkflow',
    taskQueue: 'queue-a',
    status: RUNNING,
    startTime: T0 + n * MINUTE,
    executionTime: T0 + n * MINUTE,
    historyLength: n,
    historySizeBytes: 100 * n,
    stateTransitionCount: n,
    rootWorkflowId: `wf-${n}`,
    rootRunId: runId,
    searchAttributes: {},
    version: 1,
    ...overrides,
  };
}

function closed(r: VisibilityRecord, status: WorkflowExecutionStatus, closeOffsetMinutes: number): VisibilityRecord {
  const closeTime = r.startTime + closeOffsetMinutes * MINUTE;
  return { ...r, status, closeTime, executionDuration: (closeTime - r.executionTime) * 1e6, version: r.version + 1 };
}

export function describeVisibilityContract(name: string, open: () => Promise<VisibilityStore>): void {
  describe(`visibility contract: ${name}`, () => {
    let store: VisibilityStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store.close();
    });

    const list = async (namespaceId: string, query: string, pageSize = 100) =>
      store.list({
        namespaceId,
        query: resolveQuery(query, ATTRIBUTES, { allowOrderBy: store.supportsOrderBy, allowGroupBy: false }),
        pageSize,
      });
    const ids = async (namespaceId: string, query: string) =>
      (await list(namespaceId, query)).records.map((r) => r.workflowId).sort();
    const count = async (namespaceId: string, query: string) =>
      store.count({
        namespaceId,
        query: resolveQuery(query, ATTRIBUTES, { allowOrderBy: store.supportsOrderBy, allowGroupBy: true }),
      });

    it('stores a record and reads it back field for field', async () => {
      const ns = randomUUID();
      const memo = new Uint8Array([10, 3, 1, 2, 3]);
      const original = record(ns, 1, {
        parentWorkflowId: 'parent',
        parentRunId: randomUUID(),
        memo,
        searchAttributes: {
          [field('CustomKeywordField')]: 'k',
          [field('CustomKeywordListField')]: ['a', 'b'],
          BuildIds: ['v1'],
        },
      });
      await store.write([{ kind: 'upsert', record: original }]);
      expect(await store.get(ns, original.runId)).toEqual(original);
      const done = closed(original, COMPLETED, 5);
      await store.write([{ kind: 'upsert', record: done }]);
      expect(await store.get(ns, original.runId)).toEqual(done);
    });

    it('ignores a write older than the stored version and deletes only up to its version', async () => {
      const ns = randomUUID();
      const r = record(ns, 1, { version: 10 });
      await store.write([{ kind: 'upsert', record: r }]);
      await store.write([{ kind: 'upsert', record: { ...r, workflowType: 'Stale', version: 9 } }]);
      expect((await store.get(ns, r.runId))?.workflowType).toBe('OddWorkflow');
      // Replaying the same version is idempotent.
      await store.write([{ kind: 'upsert', record: r }]);
      expect(await store.get(ns, r.runId)).toEqual(r);
      await store.write([{ kind: 'delete', namespaceId: ns, workflowId: r.workflowId, runId: r.runId, version: 11 }]);
      expect(await store.get(ns, r.runId)).toBeUndefined();
      expect(await ids(ns, '')).toEqual([]);
    });

    it('deletes one run of a workflow id, keeping its newer run, from get, list and count; a replay is a no-op', async () => {
      const ns = randomUUID();
      const older = closed(record(ns, 1), COMPLETED, 1);
      const newer = { ...record(ns, 2), workflowId: older.workflowId };
      const other = closed(record(ns, 3), FAILED, 2);
      await store.write([older, newer, other].map((r) => ({ kind: 'upsert' as const, record: r })));
      const { workflowId, runId, version } = older;
      const deleteOlder = { kind: 'delete' as const, namespaceId: ns, workflowId, runId, version: version + 1 };

      await store.write([deleteOlder]);
      await store.write([deleteOlder]);

      expect(await store.get(ns, older.runId)).toBeUndefined();
      expect(await store.get(ns, newer.runId)).toEqual(newer);
      expect((await list(ns, '')).records.map((r) => r.runId).sort()).toEqual([newer.runId, other.runId].sort());
      expect(await count(ns, "ExecutionStatus = 'Completed'")).toEqual({ count: 0 });
      expect(await count(ns, '')).toEqual({ count: 2 });
    });

    it('applies a batch of writes in order', async () => {
      const ns = randomUUID();
      const r = record(ns, 1);
      await store.write([
        { kind: 'upsert', record: r },
        { kind: 'upsert', record: closed(r, COMPLETED, 1) },
        { kind: 'upsert', record: record(ns, 2) },
      ]);
      expect((await store.get(ns, r.runId))?.status).toBe(COMPLETED);
      expect(await ids(ns, '')).toEqual(['wf-1', 'wf-2']);
    });

    describe('queries', () => {
      const ns = randomUUID();
      beforeAll(async () => {
        // wf-1..wf-6: odd/even types; 1,2 running; 3,4 completed; 5,6 failed; custom attributes vary by n.
        const records = [1, 2, 3, 4, 5, 6].map((n) => {
          const base = record(ns, n, {
            taskQueue: n <= 3 ? 'queue-a' : 'queue-b',
            searchAttributes: {
              [field('CustomKeywordField')]: `key-${n}`,
              [field('CustomIntField')]: n * 10,
              [field('CustomDoubleField')]: n + 0.5,
              [field('CustomBoolField')]: n % 2 === 0,
              [field('CustomDatetimeField')]: `2024-06-0${n}T00:00:00.000000000Z`,
              [field('CustomTextField')]: `the quick brown fox number ${n}`,
              [field('CustomKeywordListField')]: n <= 2 ? ['red', 'green'] : ['blue'],
              ...(n === 6 ? {} : { TemporalChangeVersion: [`change-${n}`] }),
            },
          });
          if (n <= 2) return base;
          return closed(base, n <= 4 ? COMPLETED : FAILED, n);
        });
        // wf-7 has no custom attributes at all.
        records.push(record(ns, 7));
        await store.write(records.map((r) => ({ kind: 'upsert' as const, record: r })));
      });

      it.each([
        ['', ['wf-1', 'wf-2', 'wf-3', 'wf-4', 'wf-5', 'wf-6', 'wf-7']],
        ["WorkflowId = 'wf-3'", ['wf-3']],
        ["WorkflowType = 'EvenWorkflow'", ['wf-2', 'wf-4', 'wf-6']],
        ["WorkflowType != 'EvenWorkflow'", ['wf-1', 'wf-3', 'wf-5', 'wf-7']],
        ["ExecutionStatus = 'Running'", ['wf-1', 'wf-2', 'wf-7']],
        ['ExecutionStatus = 3', ['wf-5', 'wf-6']],
        ["ExecutionStatus IN ('Completed', 'Failed')", ['wf-3', 'wf-4', 'wf-5', 'wf-6']],
        ["ExecutionStatus NOT IN ('Completed', 'Failed')", ['wf-1', 'wf-2', 'wf-7']],
        ["TaskQueue = 'queue-b' AND ExecutionStatus = 'Failed'", ['wf-5', 'wf-6']],
        ["WorkflowId = 'wf-1' OR WorkflowId = 'wf-4'", ['wf-1', 'wf-4']],
        ["(WorkflowId = 'wf-1' OR WorkflowId = 'wf-4') AND WorkflowType = 'OddWorkflow'", ['wf-1']],
        ["NOT (WorkflowType = 'EvenWorkflow') AND TaskQueue = 'queue-a'", ['wf-1', 'wf-3', 'wf-7']],
        ["WorkflowId STARTS_WITH 'wf-'", ['wf-1', 'wf-2', 'wf-3', 'wf-4', 'wf-5', 'wf-6', 'wf-7']],
        ["CustomKeywordField NOT STARTS_WITH 'key-1'", ['wf-2', 'wf-3', 'wf-4', 'wf-5', 'wf-6']],
        ["WorkflowId BETWEEN 'wf-2' AND 'wf-4'", ['wf-2', 'wf-3', 'wf-4']],
        ["WorkflowId > 'wf-5'", ['wf-6', 'wf-7']],
        ["StartTime >= '2024-05-01T10:05:00Z'", ['wf-5', 'wf-6', 'wf-7']],
        ["StartTime < '2024-05-01T12:02:00+02:00'", ['wf-1']],
        ["StartTime BETWEEN '2024-05-01T10:02:00Z' AND '2024-05-01T10:03:00Z'", ['wf-2', 'wf-3']],
        ['CloseTime IS NULL', ['wf-1', 'wf-2', 'wf-7']],
        ['CloseTime IS NOT NULL', ['wf-3', 'wf-4', 'wf-5', 'wf-6']],
        ["CloseTime > '2024-05-01T10:11:00Z'", ['wf-6']],
        ['ExecutionDuration >= 300000000000', ['wf-5', 'wf-6']],
        ["ExecutionDuration < '4m'", ['wf-3']],
        ['HistoryLength > 4', ['wf-5', 'wf-6', 'wf-7']],
        ['CustomIntField = 30', ['wf-3']],
        ['CustomIntField >= 40', ['wf-4', 'wf-5', 'wf-6']],
        ['CustomIntField IN (10, 60)', ['wf-1', 'wf-6']],
        ['CustomIntField BETWEEN 20 AND 30', ['wf-2', 'wf-3']],
        ['CustomDoubleField < 2.5', ['wf-1']],
        ['CustomDoubleField > 5', ['wf-5', 'wf-6']],
        ['CustomBoolField = true', ['wf-2', 'wf-4', 'wf-6']],
        ['CustomBoolField = false', ['wf-1', 'wf-3', 'wf-5']],
        ["CustomDatetimeField > '2024-06-04T00:00:00Z'", ['wf-5', 'wf-6']],
        ["CustomKeywordField = 'key-2'", ['wf-2']],
        ["CustomKeywordField IN ('key-2', 'key-5', 'nope')", ['wf-2', 'wf-5']],
        ['CustomKeywordField IS NULL', ['wf-7']],
        ['CustomKeywordField IS NOT NULL', ['wf-1', 'wf-2', 'wf-3', 'wf-4', 'wf-5', 'wf-6']],
        ["CustomKeywordListField = 'green'", ['wf-1', 'wf-2']],
        ["CustomKeywordListField IN ('blue', 'yellow')", ['wf-3', 'wf-4', 'wf-5', 'wf-6']],
        ["CustomTextField = 'QUICK fox'", ['wf-1', 'wf-2', 'wf-3', 'wf-4', 'wf-5', 'wf-6']],
        ["CustomTextField = 'fox 4'", ['wf-4']],
        ["TemporalChangeVersion = 'change-3'", ['wf-3']],
        ['TemporalChangeVersion IS NULL', ['wf-6', 'wf-7']],
      ])('%s', async (query, expected) => {
        expect(await ids(ns, query)).toEqual(expected);
      });

      it('takes an IN list of 50,000 values (upstream has no limit; SQLite binds at most 32,766 parameters)', async () => {
        const values = Array.from({ length: 50_000 }, (_, i) => `'wf-${i + 3}'`).join(', ');
        expect(await ids(ns, `WorkflowId IN (${values})`)).toEqual(['wf-3', 'wf-4', 'wf-5', 'wf-6', 'wf-7']);
        expect(await ids(ns, `WorkflowId NOT IN (${values})`)).toEqual(['wf-1', 'wf-2']);
      });

      it('keeps namespaces apart', async () => {
        expect(await ids(randomUUID(), '')).toEqual([]);
      });

      it('lists in the default order: open runs first (newest start), then by close time, newest first', async () => {
        const { records } = await list(ns, '');
        expect(records.map((r) => r.workflowId)).toEqual(['wf-7', 'wf-2', 'wf-1', 'wf-6', 'wf-5', 'wf-4', 'wf-3']);
      });

      it('pages with stable opaque tokens, neither skipping nor repeating', async () => {
        const seen: string[] = [];
        let pageToken: Uint8Array | undefined;
        const query = resolveQuery('', ATTRIBUTES, { allowOrderBy: false, allowGroupBy: false });
        let pages = 0;
        do {
          const page = await store.list({ namespaceId: ns, query, pageSize: 2, pageToken });
          seen.push(...page.records.map((r) => r.workflowId));
          pageToken = page.nextPageToken.length ? page.nextPageToken : undefined;
          pages++;
          // A run that changes after the first page was read does not shift the later pages.
          if (pages === 1)
            await store.write([{ kind: 'upsert', record: record(ns, 8, { startTime: T0 - MINUTE, version: 1 }) }]);
        } while (pageToken);
        // wf-8 (open, oldest start) sorts after the cursor, so it shows up on a later page.
        expect(seen).toEqual(['wf-7', 'wf-2', 'wf-1', 'wf-8', 'wf-6', 'wf-5', 'wf-4', 'wf-3']);
        expect(pages).toBe(4);
        await store.write([
          { kind: 'delete', namespaceId: ns, workflowId: 'wf-8', runId: record(ns, 8).runId, version: 2 },
        ]);
      });

      it('rejects a page token it did not issue', async () => {
        const query = resolveQuery('', ATTRIBUTES, { allowOrderBy: false, allowGroupBy: false });
        await expect(
          store.list({ namespaceId: ns, query, pageSize: 2, pageToken: Buffer.from('not a token') }),
        ).rejects.toBeInstanceOf(InvalidPageTokenError);
      });

      it('counts, and counts grouped by ExecutionStatus', async () => {
        expect(await count(ns, '')).toEqual({ count: 7 });
        expect(await count(ns, "WorkflowType = 'EvenWorkflow'")).toEqual({ count: 3 });
        const grouped = await count(ns, 'GROUP BY ExecutionStatus');
        expect(grouped.count).toBe(7);
        expect(grouped.groups).toEqual([
          { value: 'Running', count: 3 },
          { value: 'Completed', count: 2 },
          { value: 'Failed', count: 2 },
        ]);
        expect((await count(ns, "TaskQueue = 'queue-a' GROUP BY ExecutionStatus")).groups).toEqual([
          { value: 'Running', count: 3 },
          { value: 'Completed', count: 1 },
        ]);
      });

      it('sorts by ORDER BY where the store supports it, and rejects it where it does not', async () => {
        if (!store.supportsOrderBy) {
          expect(() =>
            resolveQuery('ORDER BY StartTime', ATTRIBUTES, { allowOrderBy: false, allowGroupBy: false }),
          ).toThrow("operation is not supported: 'ORDER BY' clause");
          return;
        }
        expect(
          (await list(ns, 'CustomIntField IS NOT NULL ORDER BY CustomIntField DESC')).records.map((r) => r.workflowId),
        ).toEqual(['wf-6', 'wf-5', 'wf-4', 'wf-3', 'wf-2', 'wf-1']);
        expect(
          (await list(ns, "ExecutionStatus = 'Running' ORDER BY StartTime")).records.map((r) => r.workflowId),
        ).toEqual(['wf-1', 'wf-2', 'wf-7']);
      });
    });
  });
}

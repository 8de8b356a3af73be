// Visibility through the official SDK and CLI: client.workflow.list / count with system and custom search
// attributes, against start-dev on SQLite and on Elasticsearch (skipped locally when ES is not running; required in
// CI). Visibility is eventually consistent (history's visibility queue writes it), so reads poll until they match.
// The official CLI's `temporal workflow list --query` is in temporal-cli.test.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { WorkflowBundle } from '@temporalio/worker';
import Long from 'long';
import { Client, WorkflowFailedError, type WorkflowExecutionInfo } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import protos from '@temporalio/proto';
import type { DevServerOptions } from '@tempora/cli';
import { ELASTICSEARCH_TEST_URL, elasticsearchAvailable, uniqueTestIndex } from '@tempora/visibility/test-support';
import * as activities from './activities.js';
import { eventually, grpcFailure, startTestServer, uniqueName, useTestServer, type TestServer } from './helpers.js';
import { bundleWorkflows, installRuntime, runWorker, type RunningWorker } from './sdk-support.js';
import type * as workflows from './workflows/visibility.js';

const { IndexedValueType } = protos.temporal.api.enums.v1;

const CUSTOM_ATTRIBUTES = {
  CustomKeywordField: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  CustomIntField: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  CustomDoubleField: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  CustomBoolField: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  CustomDatetimeField: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  CustomTextField: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  CustomKeywordListField: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};
const keywordKey = defineSearchAttributeKey('CustomKeywordField', SearchAttributeType.KEYWORD);
const boolKey = defineSearchAttributeKey('CustomBoolField', SearchAttributeType.BOOL);
const doubleKey = defineSearchAttributeKey('CustomDoubleField', SearchAttributeType.DOUBLE);
const datetimeKey = defineSearchAttributeKey('CustomDatetimeField', SearchAttributeType.DATETIME);
const textKey = defineSearchAttributeKey('CustomTextField', SearchAttributeType.TEXT);
const listKey = defineSearchAttributeKey('CustomKeywordListField', SearchAttributeType.KEYWORD_LIST);

async function list(client: Client, query: string): Promise<WorkflowExecutionInfo[]> {
  const result: WorkflowExecutionInfo[] = [];
  for await (const info of client.workflow.list({ query })) result.push(info);
  return result;
}

const esIndex = uniqueTestIndex('tempora-visibility-sdk');
const backends: [string, () => Promise<DevServerOptions | undefined>][] = [
  ['sqlite', async () => ({})],
  [
    'elasticsearch',
    async () =>
      (await elasticsearchAvailable())
        ? { visibility: { driver: 'elasticsearch', url: ELASTICSEARCH_TEST_URL, index: esIndex } }
        : undefined,
  ],
];

let bundle: WorkflowBundle;
beforeAll(async () => {
  installRuntime();
  bundle = await bundleWorkflows('visibility');
}, 120_000);

afterAll(async () => {
  await fetch(new URL(`/${esIndex}`, ELASTICSEARCH_TEST_URL), { method: 'DELETE' }).catch(() => undefined);
  await fetch(new URL(`/_index_template/${esIndex}-template`, ELASTICSEARCH_TEST_URL), { method: 'DELETE' }).catch(
    () => undefined,
  );
});

describe.each(backends)('visibility on %s', (backend, serverOptions) => {
  let t: TestServer | undefined;
  let client: Client;
  let worker: RunningWorker;
  const taskQueue = uniqueName('visibility');
  const idle = uniqueName('no-worker');
  const tag = uniqueName('tag');

  beforeAll(async () => {
    const options = await serverOptions();
    if (!options) return;
    t = await startTestServer(options);
    client = new Client({ connection: t.connection, namespace: 'default' });
    await client.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: CUSTOM_ATTRIBUTES,
    });
    worker = await runWorker(t.server.address, { taskQueue, workflowBundle: bundle, activities });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await t?.close();
  });

  const skipUnlessRunning = () => {
    if (!t) console.log(`visibility on ${backend}: skipped (backend not available)`);
    return !t;
  };

  it('lists and counts completed, failed and running workflows by system and custom attributes', async () => {
    if (skipUnlessRunning()) return;
    const done = await client.workflow.execute<typeof workflows.upsertingWorkflow>('upsertingWorkflow', {
      taskQueue,
      workflowId: `${tag}-done`,
      args: [tag, 42],
    });
    expect(done).toBe(tag);
    await expect(
      client.workflow.execute('failingVisibilityWorkflow', { taskQueue, workflowId: `${tag}-failed` }),
    ).rejects.toBeInstanceOf(WorkflowFailedError);
    const when = new Date('2024-05-01T12:00:00.000Z');
    await client.workflow.start('upsertingWorkflow', {
      taskQueue: idle,
      workflowId: `${tag}-running`,
      args: [tag, 1],
      typedSearchAttributes: new TypedSearchAttributes([
        { key: keywordKey, value: `${tag}-start` },
        { key: boolKey, value: true },
        { key: doubleKey, value: 2.5 },
        { key: datetimeKey, value: when },
        { key: textKey, value: 'the quick brown fox' },
        { key: listKey, value: ['red', 'green'] },
      ]),
      memo: { owner: 'visibility-test' },
    });

    const all = await eventually(async () => {
      const found = await list(client, `WorkflowId STARTS_WITH '${tag}'`);
      expect(found.map((w) => [w.workflowId, w.status.name]).sort()).toEqual([
        [`${tag}-done`, 'COMPLETED'],
        [`${tag}-failed`, 'FAILED'],
        [`${tag}-running`, 'RUNNING'],
      ]);
      return found;
    });
    // Default order: the open run first.
    expect(all[0]!.workflowId).toBe(`${tag}-running`);

    const completed = all.find((w) => w.workflowId === `${tag}-done`)!;
    expect(completed.type).toBe('upsertingWorkflow');
    expect(completed.taskQueue).toBe(taskQueue);
    expect(completed.closeTime).toBeInstanceOf(Date);
    expect(completed.historyLength).toBeGreaterThan(3);
    expect(completed.typedSearchAttributes.get(keywordKey)).toBe(tag);
    expect(completed.memo).toEqual({ note: `memo-${tag}` });

    const running = all.find((w) => w.workflowId === `${tag}-running`)!;
    expect(running.closeTime).toBeUndefined();
    expect(running.typedSearchAttributes.get(boolKey)).toBe(true);
    expect(running.typedSearchAttributes.get(doubleKey)).toBe(2.5);
    expect(running.typedSearchAttributes.get(datetimeKey)?.toISOString()).toBe(when.toISOString());
    expect(running.typedSearchAttributes.get(listKey)).toEqual(['red', 'green']);
    expect(running.typedSearchAttributes.get(textKey)).toBe('the quick brown fox');
    expect(running.memo).toEqual({ owner: 'visibility-test' });

    const ids = async (query: string) =>
      (await list(client, `WorkflowId STARTS_WITH '${tag}' AND (${query})`)).map((w) => w.workflowId).sort();
    expect(await ids("ExecutionStatus = 'Running'")).toEqual([`${tag}-running`]);
    expect(await ids("ExecutionStatus IN ('Completed', 'Failed')")).toEqual([`${tag}-done`, `${tag}-failed`]);
    expect(await ids("WorkflowType = 'failingVisibilityWorkflow'")).toEqual([`${tag}-failed`]);
    expect(await ids('CloseTime IS NULL')).toEqual([`${tag}-running`]);
    expect(await ids(`CustomKeywordField = '${tag}'`)).toEqual([`${tag}-done`]);
    expect(await ids('CustomIntField >= 40')).toEqual([`${tag}-done`]);
    expect(await ids('CustomBoolField = true AND CustomDoubleField BETWEEN 2 AND 3')).toEqual([`${tag}-running`]);
    expect(await ids("CustomDatetimeField < '2024-05-02T00:00:00Z'")).toEqual([`${tag}-running`]);
    expect(await ids("CustomKeywordListField = 'green'")).toEqual([`${tag}-running`]);
    expect(await ids("CustomTextField = 'brown fox'")).toEqual([`${tag}-running`]);

    expect(await client.workflow.count(`WorkflowId STARTS_WITH '${tag}'`)).toEqual({ count: 3, groups: [] });
    const grouped = await client.workflow.count(`WorkflowId STARTS_WITH '${tag}' GROUP BY ExecutionStatus`);
    expect(grouped.count).toBe(3);
    expect(grouped.groups.map((g) => [g.groupValues, g.count]).sort()).toEqual([
      // The SDK decodes each Keyword group value as a list, against the official server too.
      [[['Completed']], 1],
      [[['Failed']], 1],
      [[['Running']], 1],
    ]);
  });

  it('pages through a listing with the SDK (page size 2)', async () => {
    if (skipUnlessRunning()) return;
    const prefix = uniqueName('paged');
    for (let i = 0; i < 5; i++)
      await client.workflow.start('upsertingWorkflow', {
        taskQueue: idle,
        workflowId: `${prefix}-${i}`,
        args: [prefix, i],
      });
    const query = `WorkflowId STARTS_WITH '${prefix}'`;
    await eventually(async () => expect((await client.workflow.count(query)).count).toBe(5));
    const seen: string[] = [];
    for await (const info of client.workflow.list({ query, pageSize: 2 })) seen.push(info.workflowId);
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `${prefix}-${i}`));
  });

  it('rejects bad queries and bad search attributes with INVALID_ARGUMENT naming the problem', async () => {
    if (skipUnlessRunning()) return;
    const service = client.workflowService;
    expect(
      await grpcFailure(service.listWorkflowExecutions({ namespace: 'default', query: "WorkflowType = 'a' AND" })),
    ).toMatchObject({
      code: 3,
      message: 'invalid query: malformed SQL query: syntax error at position 23 near end of query',
    });
    expect(
      await grpcFailure(service.countWorkflowExecutions({ namespace: 'default', query: "Nope = 'x'" })),
    ).toMatchObject({
      code: 3,
      message: 'invalid query: invalid search attribute: Nope',
    });
    expect(
      await grpcFailure(
        service.listWorkflowExecutions({ namespace: 'default', query: '', nextPageToken: Buffer.from('forged') }),
      ),
    ).toMatchObject({ code: 3, message: 'Invalid NextPageToken.' });
    const startWith = (searchAttributes: Record<string, string[]>) =>
      grpcFailure(
        client.workflow
          .start('upsertingWorkflow', {
            taskQueue: idle,
            workflowId: uniqueName('bad-sa'),
            args: ['x', 1],
            searchAttributes,
          })
          .catch((err: Error) => {
            throw err.cause;
          }),
      );
    expect(await startWith({ NotDefinedAnywhere: ['x'] })).toMatchObject({
      code: 3,
      message: 'search attribute NotDefinedAnywhere is not defined',
    });
    expect(await startWith({ CustomIntField: ['not a number'] })).toMatchObject({
      code: 3,
      message: 'invalid value for search attribute CustomIntField of type Int: "not a number"',
    });
    expect(await startWith({ WorkflowId: ['x'] })).toMatchObject({
      code: 3,
      message: "WorkflowId attribute can't be set in SearchAttributes",
    });
    expect(await startWith({ CustomKeywordField: ['x'.repeat(3000)] })).toMatchObject({
      code: 3,
      message: 'search attribute CustomKeywordField value size 3004 exceeds size limit 2048',
    });
  });

  it('fails the workflow task of an upsert of an undefined attribute (BadSearchAttributes)', async () => {
    if (skipUnlessRunning()) return;
    const handle = await client.workflow.start('undefinedAttributeWorkflow', {
      taskQueue,
      workflowId: uniqueName('bad-upsert'),
    });
    await eventually(async () => {
      const history = await handle.fetchHistory();
      const failed = history.events?.find((e) => e.workflowTaskFailedEventAttributes);
      expect(failed?.workflowTaskFailedEventAttributes?.cause).toBe(
        protos.temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES,
      );
      expect(failed?.workflowTaskFailedEventAttributes?.failure?.message).toBe(
        'BadSearchAttributes: search attribute NotDefinedAnywhere is not defined',
      );
    });
  });
});

describe('search attribute administration (OperatorService)', () => {
  const t = useTestServer();

  it('adds, lists and removes custom attributes per namespace, with upstream limits and messages', async () => {
    const operator = t.connection.operatorService;
    await operator.addSearchAttributes({
      namespace: 'default',
      searchAttributes: { Color: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD },
    });
    // Adding again is a no-op, as upstream.
    await operator.addSearchAttributes({
      namespace: 'default',
      searchAttributes: { Color: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD },
    });
    const listed = await operator.listSearchAttributes({ namespace: 'default' });
    expect(listed.customAttributes).toEqual({ Color: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD });
    expect(listed.systemAttributes?.WorkflowType).toBe(IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    expect(listed.systemAttributes?.BuildIds).toBe(IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST);

    expect(
      await grpcFailure(operator.addSearchAttributes({ namespace: 'default', searchAttributes: { WorkflowType: 2 } })),
    ).toMatchObject({
      code: 3,
      message: 'Search attribute WorkflowType is reserved by system.',
    });
    expect(
      await grpcFailure(operator.addSearchAttributes({ namespace: 'default', searchAttributes: {} })),
    ).toMatchObject({
      code: 3,
      message: 'SearchAttributes are not set on request.',
    });
    const bools = { B1: 5, B2: 5, B3: 5, B4: 5 };
    expect(
      await grpcFailure(operator.addSearchAttributes({ namespace: 'default', searchAttributes: bools })),
    ).toMatchObject({
      code: 3,
      message: 'Unable to create search attributes: cannot have more than 3 search attribute of type Bool.',
    });
    expect(
      await grpcFailure(operator.removeSearchAttributes({ namespace: 'default', searchAttributes: ['RunId'] })),
    ).toMatchObject({
      code: 3,
      message: 'Unable to remove non-custom search attributes: RunId.',
    });
    await operator.removeSearchAttributes({ namespace: 'default', searchAttributes: ['Color', 'NeverExisted'] });
    expect((await operator.listSearchAttributes({ namespace: 'default' })).customAttributes).toEqual({});
    // Another namespace has its own attributes.
    await t.connection.workflowService.registerNamespace({
      namespace: 'visibility-other',
      workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(86400) },
    });
    await operator.addSearchAttributes({
      namespace: 'visibility-other',
      searchAttributes: { Size: IndexedValueType.INDEXED_VALUE_TYPE_INT },
    });
    expect((await operator.listSearchAttributes({ namespace: 'default' })).customAttributes).toEqual({});
    expect((await operator.listSearchAttributes({ namespace: 'visibility-other' })).customAttributes).toEqual({
      Size: IndexedValueType.INDEXED_VALUE_TYPE_INT,
    });
  });

  it('advertises grouped counts in GetSystemInfo', async () => {
    const info = await t.connection.workflowService.getSystemInfo({});
    expect(info.capabilities?.countGroupByExecutionStatus).toBe(true);
  });
});

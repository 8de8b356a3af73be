import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { createLogger, defaultConfig } from '@tempora/common';
import { LocalMembership } from '@tempora/membership';
import { openSqliteStores, type PersistenceStores } from '@tempora/persistence';
import * as messages from '@tempora/proto/internal';
import { MatchingServiceService, type MatchingServiceServer, QueryTaskToken } from '@tempora/proto/internal';
import { QueryResultType, TaskQueueKind } from '@tempora/proto/enums';
import { Code, inProcessClient, internalError, type RpcClient } from '@tempora/rpc';
import { isStickyWorkerUnavailable, MatchingService } from './index.js';

const NAMESPACE_ID = 'ns-1';
const normalQueue = { name: 'orders', kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL };
const stickyQueue = { name: 'orders-sticky', kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY };

let stores: PersistenceStores;
let service: MatchingService;
let client: RpcClient<MatchingServiceServer>;

beforeEach(async () => {
  stores = openSqliteStores();
  // Query tasks never touch history: a call to it fails the test.
  const history = {
    recordWorkflowTaskStarted: async () => Promise.reject(internalError('unexpected history call')),
    recordActivityTaskStarted: async () => Promise.reject(internalError('unexpected history call')),
  };
  const membership = new LocalMembership();
  await membership.register({ service: 'matching', identity: 'matching-test', address: '', startedTime: Date.now() });
  service = new MatchingService({
    config: defaultConfig(),
    logger: createLogger('silent'),
    stores,
    history,
    membership,
    identity: 'matching-test',
  });
  await service.start();
  client = inProcessClient(MatchingServiceService, messages, service.handlers());
});

afterEach(async () => {
  await service.stop();
  await stores.close();
});

const poll = (taskQueue = normalQueue) =>
  client.pollWorkflowTaskQueue(
    { namespaceId: NAMESPACE_ID, pollerId: 'p', pollRequest: { namespace: 'default', taskQueue, identity: 'worker' } },
    { deadline: Date.now() + 10_000 },
  );

const dispatch = (taskQueue: typeof normalQueue, deadlineMs: number) =>
  client.dispatchQueryTask(
    {
      namespaceId: NAMESPACE_ID,
      taskQueue,
      pollResponse: { workflowExecution: { workflowId: 'wf', runId: 'run' }, history: { events: [] } },
      query: { queryType: 'state' },
    },
    { deadline: Date.now() + deadlineMs },
  );

it('hands a query task to a poller and returns the answer the worker sends back', async () => {
  const answered = dispatch(normalQueue, 10_000);
  const polled = (await poll()).response!;
  expect(polled.query?.queryType).toBe('state');
  expect(polled.workflowExecution?.workflowId).toBe('wf');
  const token = QueryTaskToken.decode(polled.taskToken);
  expect(token).toMatchObject({ namespaceId: NAMESPACE_ID, workflowId: 'wf', taskQueue: 'orders' });
  await client.respondQueryTaskCompleted({
    namespaceId: NAMESPACE_ID,
    taskId: token.taskId,
    request: { completedType: QueryResultType.QUERY_RESULT_TYPE_ANSWERED, queryResult: { payloads: [] } },
  });
  expect((await answered).completed?.completedType).toBe(QueryResultType.QUERY_RESULT_TYPE_ANSWERED);
  // The query was never persisted: the queue's backlog is empty.
  expect(
    await stores.taskQueues.getTasks(
      { namespaceId: NAMESPACE_ID, name: 'orders', taskType: 1 },
      0,
      Number.MAX_SAFE_INTEGER,
      10,
    ),
  ).toEqual([]);
});

it('fails with DEADLINE_EXCEEDED when no worker polls before the deadline', async () => {
  await expect(dispatch(normalQueue, 200)).rejects.toMatchObject({ code: Code.DEADLINE_EXCEEDED });
});

it('fails with DEADLINE_EXCEEDED when the worker took the query but did not answer in time', async () => {
  const answered = dispatch(normalQueue, 500);
  await poll();
  await expect(answered).rejects.toMatchObject({
    code: Code.DEADLINE_EXCEEDED,
    message: 'query task timed out waiting for the worker to answer',
  });
});

it('answers StickyWorkerUnavailable at once for a sticky queue nobody polls', async () => {
  const err = await dispatch(stickyQueue, 10_000).catch((e: unknown) => e);
  expect(isStickyWorkerUnavailable(err)).toBe(true);
});

it('rejects an answer for an unknown or expired query task with NOT_FOUND', async () => {
  await expect(
    client.respondQueryTaskCompleted({
      namespaceId: NAMESPACE_ID,
      taskId: 'gone',
      request: { completedType: QueryResultType.QUERY_RESULT_TYPE_ANSWERED },
    }),
  ).rejects.toMatchObject({ code: Code.NOT_FOUND, message: 'query task not found, or already expired' });
});

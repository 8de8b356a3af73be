// QueryWorkflow through the official TypeScript SDK: direct dispatch to a worker, failures, unknown query types,
// closed runs, reject conditions, and consistent queries that ride on a pending workflow task. Expected histories
// are those of the official Go server (run this file with TEMPORA_TEST_ORACLE=host:port to check).
import { expect, it } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import { Client, QueryNotRegisteredError, QueryRejectedError } from '@temporalio/client';
import protos from '@temporalio/proto';
import Long from 'long';
import { grpcFailure, uniqueName } from './helpers.js';
import { eventTypeName, readHistory, runWorker, startRawWorkflow, useSdkTarget } from './sdk-support.js';
import {
  counterQuery,
  counterWorkflow,
  failingQuery,
  finishUpdate,
  quickWorkflow,
} from './workflows/queries-updates.js';

const { QueryRejectCondition, WorkflowExecutionStatus } = protos.temporal.api.enums.v1;

const taskQueue = uniqueName('queries');
const sdk = useSdkTarget({ taskQueue, workflows: 'queries-updates' });

async function startCounter(start = 0, queue = taskQueue) {
  const handle = await sdk.client.workflow.start(counterWorkflow, {
    taskQueue: queue,
    workflowId: uniqueName('counter'),
    args: [start],
  });
  return handle;
}

/** Until the run's first workflow task completed (queries then go straight to the worker). */
async function firstTaskCompleted(workflowId: string): Promise<void> {
  for (;;) {
    const events = await readHistory(sdk.connection, workflowId);
    if (events.some((e) => eventTypeName(e) === 'WORKFLOW_TASK_COMPLETED')) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('answers a query from the worker without writing history', async () => {
  const handle = await startCounter(7);
  await firstTaskCompleted(handle.workflowId);
  expect(await handle.query(counterQuery)).toBe(7);
  expect(await handle.query(counterQuery)).toBe(7);
  const events = (await readHistory(sdk.connection, handle.workflowId)).map(eventTypeName);
  expect(events).toEqual([
    'WORKFLOW_EXECUTION_STARTED',
    'WORKFLOW_TASK_SCHEDULED',
    'WORKFLOW_TASK_STARTED',
    'WORKFLOW_TASK_COMPLETED',
  ]);
  await handle.executeUpdate(finishUpdate);
  expect(await handle.result()).toBe(7);
});

it('fails a query whose handler throws with QueryFailed (INVALID_ARGUMENT)', async () => {
  const handle = await startCounter();
  await firstTaskCompleted(handle.workflowId);
  const err = await handle.query(failingQuery).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(QueryNotRegisteredError); // the SDK maps every INVALID_ARGUMENT query answer to this class
  expect((err as Error).message).toContain('query failed on purpose');
  const raw = await grpcFailure(
    sdk.connection.workflowService.queryWorkflow({
      namespace: 'default',
      execution: { workflowId: handle.workflowId },
      query: { queryType: 'fails' },
    }),
  );
  expect(raw.code).toBe(status.INVALID_ARGUMENT);
  expect(raw.detailType).toBe('temporal.api.errordetails.v1.QueryFailedFailure');
  await handle.executeUpdate(finishUpdate);
});

it('fails an unknown query type the way the SDK answers it', async () => {
  const handle = await startCounter();
  await firstTaskCompleted(handle.workflowId);
  const err = await handle.query('no-such-query').then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(QueryNotRegisteredError);
  expect((err as Error).message).toMatch(/no-such-query/);
  await handle.executeUpdate(finishUpdate);
});

it('answers a query on a completed workflow by replaying its history', async () => {
  const handle = await sdk.client.workflow.start(quickWorkflow, {
    taskQueue,
    workflowId: uniqueName('quick'),
    args: [42],
  });
  expect(await handle.result()).toBe(42);
  expect(await handle.query(counterQuery)).toBe(42);
});

it('rejects a query on a closed run per the reject condition', async () => {
  const handle = await sdk.client.workflow.start(quickWorkflow, {
    taskQueue,
    workflowId: uniqueName('quick'),
    args: [1],
  });
  await handle.result();
  const query = (queryRejectCondition: number) =>
    sdk.connection.workflowService.queryWorkflow({
      namespace: 'default',
      execution: { workflowId: handle.workflowId },
      query: { queryType: 'counter' },
      queryRejectCondition,
    });
  const notOpen = await query(QueryRejectCondition.QUERY_REJECT_CONDITION_NOT_OPEN);
  expect(notOpen.queryRejected?.status).toBe(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
  // Completed cleanly: NOT_COMPLETED_CLEANLY lets the query through.
  const cleanly = await query(QueryRejectCondition.QUERY_REJECT_CONDITION_NOT_COMPLETED_CLEANLY);
  expect(cleanly.queryRejected).toBeFalsy();
  expect(cleanly.queryResult?.payloads).toHaveLength(1);
  const sdkRejected = await new Client({
    connection: sdk.connection,
    workflow: { queryRejectCondition: 'NOT_OPEN' },
  }).workflow
    .getHandle(handle.workflowId)
    .query(counterQuery)
    .catch((e: unknown) => e);
  expect(sdkRejected).toBeInstanceOf(QueryRejectedError);
});

it('rides a consistent query on the pending first workflow task and answers it from its completion', async () => {
  const queue = uniqueName('queries-pending');
  const handle = await startCounter(5, queue);
  // No worker polls `queue` yet: the first workflow task is pending, so the query waits for it.
  const answer = handle.query(counterQuery);
  const late = await runWorker(sdk.address, { taskQueue: queue, workflowBundle: sdk.bundle });
  try {
    expect(await answer).toBe(5);
    await handle.executeUpdate(finishUpdate);
    expect(await handle.result()).toBe(5);
  } finally {
    await late.stop();
  }
});

it('rides a consistent query on the workflow task in flight (raw worker protocol)', async () => {
  const svc = sdk.connection.workflowService;
  const { workflowId, poll } = await startRawWorkflow(sdk.connection, 'queries-raw');
  const first = await poll();
  expect(first.queries ?? {}).toEqual({});
  // The task is started: the query is buffered until that task completes and the next one starts.
  const answer = svc.queryWorkflow({ namespace: 'default', execution: { workflowId }, query: { queryType: 'state' } });
  // Nothing observable marks the query as buffered; give the call time to reach history before the task completes.
  await new Promise((resolve) => setTimeout(resolve, 200));
  await svc.respondWorkflowTaskCompleted({
    namespace: 'default',
    taskToken: first.taskToken,
    identity: 'raw',
    forceCreateNewWorkflowTask: true,
  });
  const second = await poll();
  const [queryId, query] = Object.entries(second.queries ?? {})[0]!;
  expect(query.queryType).toBe('state');
  const payload = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"ready"') };
  await svc.respondWorkflowTaskCompleted({
    namespace: 'default',
    taskToken: second.taskToken,
    identity: 'raw',
    queryResults: {
      [queryId]: {
        resultType: protos.temporal.api.enums.v1.QueryResultType.QUERY_RESULT_TYPE_ANSWERED,
        answer: { payloads: [payload] },
      },
    },
    commands: [
      {
        commandType: protos.temporal.api.enums.v1.CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
        completeWorkflowExecutionCommandAttributes: {},
      },
    ],
  });
  const response = await answer;
  expect(Buffer.from(response.queryResult!.payloads![0]!.data!).toString()).toBe('"ready"');
  const events = (await readHistory(sdk.connection, workflowId)).map(eventTypeName);
  expect(events).toEqual([
    'WORKFLOW_EXECUTION_STARTED',
    'WORKFLOW_TASK_SCHEDULED',
    'WORKFLOW_TASK_STARTED',
    'WORKFLOW_TASK_COMPLETED',
    'WORKFLOW_TASK_SCHEDULED',
    'WORKFLOW_TASK_STARTED',
    'WORKFLOW_TASK_COMPLETED',
    'WORKFLOW_EXECUTION_COMPLETED',
  ]);
});

it('sends a query to the sticky worker without history, as upstream (raw worker protocol)', async () => {
  const svc = sdk.connection.workflowService;
  const { workflowId, poll } = await startRawWorkflow(sdk.connection, 'queries-sticky');
  const first = await poll();
  const stickyQueue = uniqueName('queries-sticky-worker');
  await svc.respondWorkflowTaskCompleted({
    namespace: 'default',
    taskToken: first.taskToken,
    identity: 'raw',
    stickyAttributes: {
      workerTaskQueue: { name: stickyQueue },
      scheduleToStartTimeout: { seconds: Long.fromNumber(10) },
    },
  });
  const stickyPoll = sdk.connection.withDeadline(Date.now() + 30_000, () =>
    svc.pollWorkflowTaskQueue({
      namespace: 'default',
      taskQueue: { name: stickyQueue, kind: protos.temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_STICKY },
      identity: 'raw',
    }),
  );
  const answer = svc.queryWorkflow({ namespace: 'default', execution: { workflowId }, query: { queryType: 'state' } });
  const task = await stickyPoll;
  expect(task.query?.queryType).toBe('state');
  // The Go SDK cannot replay a partial history on a cached run; upstream sends none to a sticky worker.
  expect(task.history?.events ?? []).toEqual([]);
  const payload = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"cached"') };
  await svc.respondQueryTaskCompleted({
    namespace: 'default',
    taskToken: task.taskToken,
    completedType: protos.temporal.api.enums.v1.QueryResultType.QUERY_RESULT_TYPE_ANSWERED,
    queryResult: { payloads: [payload] },
  });
  const response = await answer;
  expect(Buffer.from(response.queryResult!.payloads![0]!.data!).toString()).toBe('"cached"');
});

it('fails a query on a run closed before its first workflow task with WorkflowNotReady', async () => {
  const handle = await sdk.client.workflow.start(counterWorkflow, {
    taskQueue: uniqueName('queries-unpolled'),
    workflowId: uniqueName('unpolled'),
    args: [0],
    workflowExecutionTimeout: '1s',
  });
  await expect(handle.result()).rejects.toThrow('timed out');
  const failure = await grpcFailure(
    sdk.connection.workflowService.queryWorkflow({
      namespace: 'default',
      execution: { workflowId: handle.workflowId },
      query: { queryType: 'counter' },
    }),
  );
  expect(failure).toEqual({
    code: status.FAILED_PRECONDITION,
    message: 'Workflow execution closed before WorkflowTaskStarted event',
    detailType: 'temporal.api.errordetails.v1.WorkflowNotReadyFailure',
  });
}, 30_000);

it('rejects a query without a query type', async () => {
  const handle = await startCounter();
  const failure = await grpcFailure(
    sdk.connection.workflowService.queryWorkflow({
      namespace: 'default',
      execution: { workflowId: handle.workflowId },
      query: {},
    }),
  );
  expect(failure).toMatchObject({ code: status.INVALID_ARGUMENT, message: 'QueryType is not set on request.' });
  await handle.executeUpdate(finishUpdate);
});

it('rejects RespondQueryTaskCompleted with a bad token or for a query nobody waits for', async () => {
  const svc = sdk.connection.workflowService;
  const { QueryResultType } = protos.temporal.api.enums.v1;
  const garbage = await grpcFailure(
    svc.respondQueryTaskCompleted({
      namespace: 'default',
      taskToken: Buffer.from('not a token'),
      completedType: QueryResultType.QUERY_RESULT_TYPE_ANSWERED,
    }),
  );
  expect(garbage.code).toBe(status.INVALID_ARGUMENT);
  const missing = await grpcFailure(
    svc.respondQueryTaskCompleted({ namespace: 'default', completedType: QueryResultType.QUERY_RESULT_TYPE_ANSWERED }),
  );
  expect(missing.code).toBe(status.INVALID_ARGUMENT);
});

it('falls back to the normal queue when the sticky worker is gone', async () => {
  const queue = uniqueName('queries-sticky');
  const first = await runWorker(sdk.address, { taskQueue: queue, workflowBundle: sdk.bundle });
  const handle = await startCounter(3, queue);
  await firstTaskCompleted(handle.workflowId);
  expect(await handle.query(counterQuery)).toBe(3); // answered from the first worker's cache (sticky queue)
  await first.stop();
  const second = await runWorker(sdk.address, { taskQueue: queue, workflowBundle: sdk.bundle });
  try {
    expect(await handle.query(counterQuery)).toBe(3); // replayed by the second worker from the normal queue
    await handle.executeUpdate(finishUpdate);
    expect(await handle.result()).toBe(3);
  } finally {
    await second.stop();
  }
});

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  DescribeTaskQueueRequest,
  DescribeWorkflowExecutionRequest,
  GetWorkflowExecutionHistoryRequest,
  GetWorkflowExecutionHistoryReverseRequest,
  RecordWorkerHeartbeatRequest,
  ResetStickyTaskQueueRequest,
  ShutdownWorkerRequest,
} from '@tempora/proto/workflowservice';
import { Code, type DeepPartial } from '@tempora/rpc';
import { callContext, invalidArgumentStatus, startTestFrontend, type TestFrontend } from './test-support.js';

const RUN_ID = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
const EXECUTION = { workflowId: 'order-1', runId: RUN_ID };
const HISTORY = { events: [{ eventId: 1 }] };

let frontend: TestFrontend;
beforeEach(async () => {
  frontend = await startTestFrontend();
});
afterEach(() => frontend.close());

describe('GetWorkflowExecutionHistory', () => {
  const getHistory = (clientName: string, fields: Partial<GetWorkflowExecutionHistoryRequest> = {}) =>
    frontend.handlers.getWorkflowExecutionHistory(
      GetWorkflowExecutionHistoryRequest.fromPartial({ namespace: 'default', execution: EXECUTION, ...fields }),
      callContext('GetWorkflowExecutionHistory', { clientName, deadline: Date.now() + 60_000 }),
    );

  it('forwards to history with the caller deadline and signal, and returns the page', async () => {
    frontend.history.answers.getWorkflowExecutionHistory = () => ({ response: { history: HISTORY } });
    const call = callContext('GetWorkflowExecutionHistory', { deadline: Date.now() + 60_000 });
    const request = GetWorkflowExecutionHistoryRequest.fromPartial({
      namespace: 'default',
      execution: EXECUTION,
      waitNewEvent: true,
    });

    await expect(frontend.handlers.getWorkflowExecutionHistory(request, call)).resolves.toEqual({
      history: HISTORY,
      nextPageToken: Buffer.alloc(0),
    });
    expect(frontend.history.calls).toMatchObject([
      {
        method: 'getWorkflowExecutionHistory',
        request: { namespaceId: frontend.namespaceIds.default, request },
        options: { deadline: call.deadline, signal: call.signal },
      },
    ]);
  });

  it.each([
    ['temporal-typescript', true],
    ['temporal-go', true],
    ['temporal-cli', false],
    ['temporal-ui', false],
  ])('asks for transient events for client %s: %p', async (clientName, includeTransientEvents) => {
    await getHistory(clientName);
    expect(frontend.history.calls).toMatchObject([{ request: { includeTransientEvents } }]);
  });

  it.each<[string, Partial<GetWorkflowExecutionHistoryRequest>, string]>([
    ['no execution', { execution: undefined }, 'Execution is not set on request.'],
    ['no workflow id', { execution: { workflowId: '', runId: '' } }, 'WorkflowId is not set on request.'],
    ['a run id that is not a UUID', { execution: { workflowId: 'order-1', runId: 'run-1' } }, 'Invalid RunId.'],
    ['a negative page size', { maximumPageSize: -1 }, 'Invalid PageSize.'],
  ])('rejects %s', async (_, fields, message) => {
    await expect(getHistory('temporal-typescript', fields)).rejects.toMatchObject(invalidArgumentStatus(message));
    expect(frontend.history.calls).toEqual([]);
  });
});

describe('GetWorkflowExecutionHistoryReverse', () => {
  const getHistoryReverse = (fields: Partial<GetWorkflowExecutionHistoryReverseRequest> = {}) =>
    frontend.handlers.getWorkflowExecutionHistoryReverse(
      GetWorkflowExecutionHistoryReverseRequest.fromPartial({ namespace: 'default', execution: EXECUTION, ...fields }),
      callContext('GetWorkflowExecutionHistoryReverse'),
    );

  it('forwards to history and returns the page', async () => {
    frontend.history.answers.getWorkflowExecutionHistoryReverse = () => ({ response: { history: HISTORY } });
    await expect(getHistoryReverse()).resolves.toEqual({ history: HISTORY, nextPageToken: Buffer.alloc(0) });
    expect(frontend.history.calls).toMatchObject([
      {
        method: 'getWorkflowExecutionHistoryReverse',
        request: { namespaceId: frontend.namespaceIds.default, request: { execution: EXECUTION } },
      },
    ]);
    expect(frontend.history.calls[0]!.request).not.toHaveProperty('includeTransientEvents');
  });

  it('rejects a negative page size', async () => {
    await expect(getHistoryReverse({ maximumPageSize: -5 })).rejects.toMatchObject(
      invalidArgumentStatus('Invalid PageSize.'),
    );
  });
});

describe('DescribeWorkflowExecution', () => {
  const describeExecution = (fields: Partial<DescribeWorkflowExecutionRequest>) =>
    frontend.handlers.describeWorkflowExecution(
      DescribeWorkflowExecutionRequest.fromPartial({ namespace: 'default', execution: EXECUTION, ...fields }),
      callContext('DescribeWorkflowExecution'),
    );

  it('forwards to history and returns its description', async () => {
    const description = { workflowExecutionInfo: { execution: EXECUTION, historyLength: 3 } };
    frontend.history.answers.describeWorkflowExecution = () => ({ response: description });
    await expect(describeExecution({})).resolves.toEqual(description);
    expect(frontend.history.calls).toMatchObject([
      { method: 'describeWorkflowExecution', request: { namespaceId: frontend.namespaceIds.default } },
    ]);
  });

  it('resolves the namespace before validating the execution', async () => {
    await expect(describeExecution({ namespace: 'missing', execution: undefined })).rejects.toMatchObject({
      code: Code.NOT_FOUND,
      message: 'Namespace missing is not found.',
    });
  });

  it('rejects a run id that is not a UUID', async () => {
    await expect(describeExecution({ execution: { workflowId: 'order-1', runId: 'x' } })).rejects.toMatchObject(
      invalidArgumentStatus('Invalid RunId.'),
    );
  });
});

describe('DescribeTaskQueue', () => {
  const describeQueue = (fields: DeepPartial<DescribeTaskQueueRequest>) =>
    frontend.handlers.describeTaskQueue(
      DescribeTaskQueueRequest.fromPartial({ namespace: 'default', ...fields }),
      callContext('DescribeTaskQueue'),
    );

  it('forwards to matching and returns its description', async () => {
    const description = { pollers: [{ identity: 'worker-1' }] };
    frontend.matching.answers.describeTaskQueue = () => ({ response: description });
    await expect(describeQueue({ taskQueue: { name: 'orders' } })).resolves.toEqual(description);
    expect(frontend.matching.calls).toMatchObject([
      {
        method: 'describeTaskQueue',
        request: { namespaceId: frontend.namespaceIds.default, request: { taskQueue: { name: 'orders' } } },
      },
    ]);
  });

  it('rejects a request without a task queue', async () => {
    await expect(describeQueue({})).rejects.toMatchObject(invalidArgumentStatus('TaskQueue is not set on request.'));
  });
});

describe('ResetStickyTaskQueue', () => {
  it('forwards the execution to history', async () => {
    const request = ResetStickyTaskQueueRequest.fromPartial({ namespace: 'default', execution: EXECUTION });
    await expect(frontend.handlers.resetStickyTaskQueue(request, callContext('ResetStickyTaskQueue'))).resolves.toEqual(
      {},
    );
    expect(frontend.history.calls).toMatchObject([
      { method: 'resetStickyTaskQueue', request: { namespaceId: frontend.namespaceIds.default, execution: EXECUTION } },
    ]);
  });

  it('rejects a request without an execution', async () => {
    const request = ResetStickyTaskQueueRequest.fromPartial({ namespace: 'default' });
    await expect(
      frontend.handlers.resetStickyTaskQueue(request, callContext('ResetStickyTaskQueue')),
    ).rejects.toMatchObject(invalidArgumentStatus('Execution is not set on request.'));
  });
});

describe('worker lifecycle calls', () => {
  it("unloads the worker's sticky queue on ShutdownWorker", async () => {
    const shutdown = ShutdownWorkerRequest.fromPartial({ namespace: 'default', stickyTaskQueue: 'sticky-1' });
    await expect(frontend.handlers.shutdownWorker(shutdown, callContext('ShutdownWorker'))).resolves.toEqual({});
    expect(frontend.matching.calls).toHaveLength(1);
    expect(frontend.matching.calls[0]).toMatchObject({
      method: 'shutdownWorker',
      request: { stickyTaskQueue: 'sticky-1' },
    });
    expect(frontend.history.calls).toEqual([]);
  });

  it("hands RecordWorkerHeartbeat's heartbeats to matching under the namespace id", async () => {
    const heartbeat = RecordWorkerHeartbeatRequest.fromPartial({
      namespace: 'default',
      identity: 'worker-1',
      workerHeartbeat: [{ workerInstanceKey: 'key-1', taskQueue: 'orders' }],
    });
    await expect(
      frontend.handlers.recordWorkerHeartbeat(heartbeat, callContext('RecordWorkerHeartbeat')),
    ).resolves.toEqual({});
    expect(frontend.matching.calls).toHaveLength(1);
    expect(frontend.matching.calls[0]).toMatchObject({
      method: 'recordWorkerHeartbeat',
      request: { workerHeartbeat: [{ workerInstanceKey: 'key-1', taskQueue: 'orders' }] },
    });
    expect(frontend.history.calls).toEqual([]);
  });

  it('rejects them for an unknown namespace', async () => {
    const shutdown = ShutdownWorkerRequest.fromPartial({ namespace: 'missing' });
    await expect(frontend.handlers.shutdownWorker(shutdown, callContext('ShutdownWorker'))).rejects.toMatchObject({
      code: Code.NOT_FOUND,
    });
  });
});

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ActivityTaskToken, WorkflowTaskToken } from '@tempora/proto/internal';
import {
  RecordActivityTaskHeartbeatByIdRequest,
  RecordActivityTaskHeartbeatRequest,
  RespondActivityTaskCanceledByIdRequest,
  RespondActivityTaskCanceledRequest,
  RespondActivityTaskCompletedByIdRequest,
  RespondActivityTaskCompletedRequest,
  RespondActivityTaskFailedByIdRequest,
  RespondActivityTaskFailedRequest,
  RespondWorkflowTaskCompletedRequest,
  RespondWorkflowTaskFailedRequest,
} from '@tempora/proto/workflowservice';
import { Code, type CallContext } from '@tempora/rpc';
import { callContext, invalidArgumentStatus, startTestFrontend, type TestFrontend } from './test-support.js';

const RUN_ID = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
const PAYLOADS = { payloads: [{ metadata: {}, data: Buffer.from('"done"') }] };

let frontend: TestFrontend;
beforeEach(async () => {
  frontend = await startTestFrontend();
});
afterEach(() => frontend.close());

function workflowTaskToken(namespaceId = frontend.namespaceIds.default): Buffer {
  const token = WorkflowTaskToken.fromPartial({
    namespaceId,
    workflowId: 'order-1',
    runId: RUN_ID,
    scheduledEventId: 2,
  });
  return Buffer.from(WorkflowTaskToken.encode(token).finish());
}

function activityTaskToken(namespaceId = frontend.namespaceIds.default): Buffer {
  const token = ActivityTaskToken.fromPartial({
    namespaceId,
    workflowId: 'order-1',
    runId: RUN_ID,
    scheduledEventId: 5,
  });
  return Buffer.from(ActivityTaskToken.encode(token).finish());
}

describe('calls that hand a task token back', () => {
  it.each([
    {
      rpc: 'respondWorkflowTaskCompleted',
      send: (call: CallContext) =>
        frontend.handlers.respondWorkflowTaskCompleted(
          RespondWorkflowTaskCompletedRequest.fromPartial({ namespace: 'default', taskToken: workflowTaskToken() }),
          call,
        ),
      answer: { response: { resetHistoryEventId: 7 } },
      expected: { resetHistoryEventId: 7 },
    },
    {
      rpc: 'respondWorkflowTaskFailed',
      send: (call: CallContext) =>
        frontend.handlers.respondWorkflowTaskFailed(
          RespondWorkflowTaskFailedRequest.fromPartial({ namespace: 'default', taskToken: workflowTaskToken() }),
          call,
        ),
      answer: {},
      expected: {},
    },
    {
      rpc: 'respondActivityTaskCompleted',
      send: (call: CallContext) =>
        frontend.handlers.respondActivityTaskCompleted(
          RespondActivityTaskCompletedRequest.fromPartial({
            namespace: 'default',
            taskToken: activityTaskToken(),
            result: PAYLOADS,
          }),
          call,
        ),
      answer: {},
      expected: {},
    },
    {
      rpc: 'respondActivityTaskFailed',
      send: (call: CallContext) =>
        frontend.handlers.respondActivityTaskFailed(
          RespondActivityTaskFailedRequest.fromPartial({ namespace: 'default', taskToken: activityTaskToken() }),
          call,
        ),
      answer: { response: { failures: [{ message: 'boom' }] } },
      expected: { failures: [{ message: 'boom' }] },
    },
    {
      rpc: 'respondActivityTaskCanceled',
      send: (call: CallContext) =>
        frontend.handlers.respondActivityTaskCanceled(
          RespondActivityTaskCanceledRequest.fromPartial({ namespace: 'default', taskToken: activityTaskToken() }),
          call,
        ),
      answer: {},
      expected: {},
    },
    {
      rpc: 'recordActivityTaskHeartbeat',
      send: (call: CallContext) =>
        frontend.handlers.recordActivityTaskHeartbeat(
          RecordActivityTaskHeartbeatRequest.fromPartial({ namespace: 'default', taskToken: activityTaskToken() }),
          call,
        ),
      answer: { response: { cancelRequested: true } },
      expected: { cancelRequested: true },
    },
  ])('$rpc forwards the request to history under the token namespace', async ({ rpc, send, answer, expected }) => {
    (frontend.history.answers as Record<string, () => unknown>)[rpc] = () => answer;
    const call = callContext(rpc, { deadline: Date.now() + 10_000 });
    await expect(send(call)).resolves.toEqual(expected);
    expect(frontend.history.calls).toMatchObject([
      {
        method: rpc,
        request: { namespaceId: frontend.namespaceIds.default, request: { namespace: 'default' } },
        options: { deadline: call.deadline, signal: call.signal },
      },
    ]);
    const { request } = frontend.history.calls[0]!.request as { request: { taskToken: Buffer } };
    expect(request.taskToken.length).toBeGreaterThan(0);
  });

  const completeActivity = (fields: Partial<RespondActivityTaskCompletedRequest>) =>
    frontend.handlers.respondActivityTaskCompleted(
      RespondActivityTaskCompletedRequest.fromPartial(fields),
      callContext('RespondActivityTaskCompleted'),
    );

  it('takes the namespace from the token when the request names none', async () => {
    await completeActivity({ taskToken: activityTaskToken(frontend.namespaceIds.other) });
    expect(frontend.history.calls).toMatchObject([{ request: { namespaceId: frontend.namespaceIds.other } }]);
  });

  it.each<[string, () => Partial<RespondActivityTaskCompletedRequest>, string]>([
    ['no task token', () => ({ namespace: 'default' }), 'Task token not set on request.'],
    [
      'a token that does not decode',
      () => ({ namespace: 'default', taskToken: Buffer.from('not a token') }),
      'Error deserializing task token.',
    ],
    [
      "another namespace's token",
      () => ({ namespace: 'default', taskToken: activityTaskToken(frontend.namespaceIds.other) }),
      'Operation requested with a token from a different namespace.',
    ],
    ['a token without a namespace', () => ({ taskToken: activityTaskToken('') }), 'Namespace not set on request.'],
    [
      'an identity too long',
      () => ({ namespace: 'default', taskToken: activityTaskToken(), identity: 'x'.repeat(1001) }),
      'Identity length exceeds limit.',
    ],
  ])('rejects %s', async (_, fields, message) => {
    await expect(completeActivity(fields())).rejects.toMatchObject(invalidArgumentStatus(message));
    expect(frontend.history.calls).toEqual([]);
  });

  it('rejects a token of a namespace that does not exist', async () => {
    const missingNamespaceId = '0b5c6c1e-0000-4000-8000-000000000000';
    await expect(completeActivity({ taskToken: activityTaskToken(missingNamespaceId) })).rejects.toMatchObject({
      code: Code.NOT_FOUND,
    });
  });
});

describe('ById activity calls', () => {
  const BY_ID = { namespace: 'default', workflowId: 'order-1', runId: RUN_ID, activityId: 'charge', identity: 'ops' };
  const call = callContext('ActivityById');

  /** The token history received, decoded, and the rest of the forwarded request. */
  function forwarded() {
    const { namespaceId, request } = frontend.history.calls[0]!.request as {
      namespaceId: string;
      request: { taskToken: Buffer } & Record<string, unknown>;
    };
    const { taskToken, ...fields } = request;
    return { namespaceId, token: ActivityTaskToken.decode(taskToken), fields };
  }

  it('RespondActivityTaskCompletedById completes through a token that names the activity by id', async () => {
    const request = RespondActivityTaskCompletedByIdRequest.fromPartial({ ...BY_ID, result: PAYLOADS });
    await expect(frontend.handlers.respondActivityTaskCompletedById(request, call)).resolves.toEqual({});

    expect(frontend.history.calls[0]!.method).toBe('respondActivityTaskCompleted');
    const { namespaceId, token, fields } = forwarded();
    expect(namespaceId).toBe(frontend.namespaceIds.default);
    expect(token).toEqual(
      ActivityTaskToken.fromPartial({
        namespaceId: frontend.namespaceIds.default,
        workflowId: 'order-1',
        runId: RUN_ID,
        scheduledEventId: 0,
        attempt: 0,
        activityId: 'charge',
      }),
    );
    expect(fields).toMatchObject({ namespace: 'default', identity: 'ops', result: PAYLOADS });
    expect(fields).not.toHaveProperty('activityId');
  });

  it('RespondActivityTaskFailedById returns the failures history answers', async () => {
    frontend.history.answers.respondActivityTaskFailed = () => ({ response: { failures: [{ message: 'boom' }] } });
    const request = RespondActivityTaskFailedByIdRequest.fromPartial({
      ...BY_ID,
      failure: { message: 'charge failed' },
    });
    await expect(frontend.handlers.respondActivityTaskFailedById(request, call)).resolves.toEqual({
      failures: [{ message: 'boom' }],
    });
    expect(frontend.history.calls[0]!.method).toBe('respondActivityTaskFailed');
    expect(forwarded().fields).toMatchObject({ failure: { message: 'charge failed' } });
  });

  it('RespondActivityTaskCanceledById forwards as RespondActivityTaskCanceled', async () => {
    const request = RespondActivityTaskCanceledByIdRequest.fromPartial({ ...BY_ID, runId: '' });
    await expect(frontend.handlers.respondActivityTaskCanceledById(request, call)).resolves.toEqual({});
    expect(frontend.history.calls[0]!.method).toBe('respondActivityTaskCanceled');
    // No run id: the token targets the current run.
    expect(forwarded().token).toMatchObject({ runId: '', activityId: 'charge', scheduledEventId: 0 });
  });

  it('RecordActivityTaskHeartbeatById returns what history answers', async () => {
    frontend.history.answers.recordActivityTaskHeartbeat = () => ({ response: { cancelRequested: true } });
    const request = RecordActivityTaskHeartbeatByIdRequest.fromPartial(BY_ID);
    await expect(frontend.handlers.recordActivityTaskHeartbeatById(request, call)).resolves.toEqual({
      cancelRequested: true,
    });
    expect(frontend.history.calls[0]!.method).toBe('recordActivityTaskHeartbeat');
  });

  it.each<[string, Partial<RespondActivityTaskCompletedByIdRequest>, string]>([
    ['no workflow id', { workflowId: '' }, 'WorkflowId is not set on request.'],
    ['no activity id', { activityId: '' }, 'ActivityId is not set on request.'],
    ['a run id that is not a UUID', { runId: 'run-1' }, 'Invalid RunId.'],
    ['an identity too long', { identity: 'x'.repeat(1001) }, 'Identity length exceeds limit.'],
  ])('rejects %s', async (_, overrides, message) => {
    const request = RespondActivityTaskCompletedByIdRequest.fromPartial({ ...BY_ID, ...overrides });
    await expect(frontend.handlers.respondActivityTaskCompletedById(request, call)).rejects.toMatchObject(
      invalidArgumentStatus(message),
    );
    expect(frontend.history.calls).toEqual([]);
  });

  it('rejects a call naming an unknown namespace', async () => {
    const request = RecordActivityTaskHeartbeatByIdRequest.fromPartial({ ...BY_ID, namespace: 'missing' });
    await expect(frontend.handlers.recordActivityTaskHeartbeatById(request, call)).rejects.toMatchObject({
      code: Code.NOT_FOUND,
    });
  });
});

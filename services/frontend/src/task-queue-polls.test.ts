import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PollActivityTaskQueueRequest, PollWorkflowTaskQueueRequest } from '@tempora/proto/workflowservice';
import { Code, type DeepPartial } from '@tempora/rpc';
import { callContext, invalidArgumentStatus, startTestFrontend, type TestFrontend } from './test-support.js';
import { isUuid } from './validation.js';

const TOO_LONG = 'x'.repeat(1001);
const TASK_TOKEN = Buffer.from('token');

let frontend: TestFrontend;
beforeEach(async () => {
  frontend = await startTestFrontend();
});
afterEach(() => frontend.close());

const POLL = { namespace: 'default', taskQueue: { name: 'orders' }, identity: 'worker-1' };

const pollWorkflowRequest = (overrides: DeepPartial<PollWorkflowTaskQueueRequest> = {}) =>
  PollWorkflowTaskQueueRequest.fromPartial({ ...POLL, ...overrides });

const pollActivityRequest = (overrides: DeepPartial<PollActivityTaskQueueRequest> = {}) =>
  PollActivityTaskQueueRequest.fromPartial({ ...POLL, ...overrides });

/** A caller with the usual 70 s poll deadline. */
const pollCall = (method: string) => callContext(method, { deadline: Date.now() + 70_000 });

describe('PollWorkflowTaskQueue', () => {
  it('forwards the poll to matching under a fresh poller id and returns the task', async () => {
    frontend.matching.answers.pollWorkflowTaskQueue = () => ({ response: { taskToken: TASK_TOKEN, attempt: 1 } });
    const call = pollCall('PollWorkflowTaskQueue');
    const request = pollWorkflowRequest();

    await expect(frontend.handlers.pollWorkflowTaskQueue(request, call)).resolves.toEqual({
      taskToken: TASK_TOKEN,
      attempt: 1,
    });

    expect(frontend.matching.calls).toMatchObject([
      {
        method: 'pollWorkflowTaskQueue',
        request: { namespaceId: frontend.namespaceIds.default, pollRequest: request },
        options: { deadline: call.deadline, signal: call.signal },
      },
    ]);
    expect(isUuid((frontend.matching.calls[0]!.request as { pollerId: string }).pollerId)).toBe(true);
  });

  it('answers a poll that got no task with the completely empty message', async () => {
    frontend.matching.answers.pollWorkflowTaskQueue = () => ({ response: undefined });
    const call = pollCall('PollWorkflowTaskQueue');
    await expect(frontend.handlers.pollWorkflowTaskQueue(pollWorkflowRequest(), call)).resolves.toStrictEqual({});
  });

  it('answers at once, without polling matching, when the caller has less than a second left', async () => {
    const call = callContext('PollWorkflowTaskQueue', { deadline: Date.now() + 500 });
    await expect(frontend.handlers.pollWorkflowTaskQueue(pollWorkflowRequest(), call)).resolves.toStrictEqual({});
    expect(frontend.matching.calls).toEqual([]);
  });

  it('answers the empty message when the worker went away during the poll', async () => {
    const controller = new AbortController();
    const call = { ...pollCall('PollWorkflowTaskQueue'), signal: controller.signal };
    frontend.matching.answers.pollWorkflowTaskQueue = () => {
      controller.abort();
      throw new Error('poll cancelled');
    };
    await expect(frontend.handlers.pollWorkflowTaskQueue(pollWorkflowRequest(), call)).resolves.toStrictEqual({});
  });

  it('passes on matching errors while the worker is still waiting', async () => {
    frontend.matching.answers.pollWorkflowTaskQueue = () => {
      throw new Error('matching unavailable');
    };
    await expect(
      frontend.handlers.pollWorkflowTaskQueue(pollWorkflowRequest(), pollCall('PollWorkflowTaskQueue')),
    ).rejects.toThrow('matching unavailable');
  });

  it.each<[string, DeepPartial<PollWorkflowTaskQueueRequest>, string]>([
    ['no task queue', { taskQueue: undefined }, 'TaskQueue is not set on request.'],
    ['an empty task queue name', { taskQueue: { name: '' } }, 'TaskQueue is not set on request.'],
    ['a task queue too long', { taskQueue: { name: TOO_LONG } }, 'TaskQueue length exceeds limit.'],
    ['an identity too long', { identity: TOO_LONG }, 'Identity length exceeds limit.'],
  ])('rejects %s', async (_, overrides, message) => {
    await expect(
      frontend.handlers.pollWorkflowTaskQueue(pollWorkflowRequest(overrides), pollCall('PollWorkflowTaskQueue')),
    ).rejects.toMatchObject(invalidArgumentStatus(message));
  });
});

describe('PollActivityTaskQueue', () => {
  it('forwards the poll to matching and returns the task', async () => {
    frontend.matching.answers.pollActivityTaskQueue = () => ({
      response: { taskToken: TASK_TOKEN, activityId: 'charge' },
    });
    const request = pollActivityRequest();

    await expect(frontend.handlers.pollActivityTaskQueue(request, pollCall('PollActivityTaskQueue'))).resolves.toEqual({
      taskToken: TASK_TOKEN,
      activityId: 'charge',
    });
    expect(frontend.matching.calls).toMatchObject([
      {
        method: 'pollActivityTaskQueue',
        request: { namespaceId: frontend.namespaceIds.default, pollRequest: request },
      },
    ]);
  });

  it('answers a poll that got no task with the completely empty message', async () => {
    const call = pollCall('PollActivityTaskQueue');
    await expect(frontend.handlers.pollActivityTaskQueue(pollActivityRequest(), call)).resolves.toStrictEqual({});
  });

  it('answers at once, without polling matching, when the caller has less than a second left', async () => {
    const call = callContext('PollActivityTaskQueue', { deadline: Date.now() + 999 });
    await expect(frontend.handlers.pollActivityTaskQueue(pollActivityRequest(), call)).resolves.toStrictEqual({});
    expect(frontend.matching.calls).toEqual([]);
  });

  it('rejects a poll without a task queue', async () => {
    const request = pollActivityRequest({ taskQueue: undefined });
    await expect(
      frontend.handlers.pollActivityTaskQueue(request, pollCall('PollActivityTaskQueue')),
    ).rejects.toMatchObject(invalidArgumentStatus('TaskQueue is not set on request.'));
  });

  it('rejects a poll of an unknown namespace', async () => {
    const request = pollActivityRequest({ namespace: 'missing' });
    await expect(
      frontend.handlers.pollActivityTaskQueue(request, pollCall('PollActivityTaskQueue')),
    ).rejects.toMatchObject({
      code: Code.NOT_FOUND,
      message: 'Namespace missing is not found.',
    });
  });
});

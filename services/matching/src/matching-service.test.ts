import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createLogger, defaultConfig } from '@tempora/common';
import { LocalMembership } from '@tempora/membership';
import { openSqliteStores, type PersistenceStores, type TaskQueueKey } from '@tempora/persistence';
import {
  RecordActivityTaskStartedResponse,
  RecordWorkflowTaskStartedResponse,
  type RecordActivityTaskStartedRequest,
  type RecordWorkflowTaskStartedRequest,
  AddWorkflowTaskRequest,
  MatchingServiceClient,
  MatchingServiceService,
  PollWorkflowTaskQueueRequest,
  type MatchingServiceServer,
  type PollWorkflowTaskQueueResponse,
} from '@tempora/proto/internal';
import * as messages from '@tempora/proto/internal';
import { TaskQueueKind, TaskQueueType } from '@tempora/proto/enums';
import {
  Code,
  createServer,
  inProcessClient,
  listen,
  notFound,
  RpcError,
  shutdown,
  unavailable,
  type DeepPartial,
  type RpcClient,
} from '@tempora/rpc';
import { isStickyWorkerUnavailable, MatchingService, type MatchingHistoryClient } from './index.js';

const NAMESPACE_ID = 'ns-1';
const QUEUE = 'orders';
const STICKY_QUEUE = 'orders-sticky-worker-1';
const NO_DEADLINE_MS = 30_000;
const logger = createLogger('silent');

/** History as matching sees it: records starts, or fails them with the error set for a scheduled event id. */
class FakeHistory implements MatchingHistoryClient {
  readonly workflowStarts: RecordWorkflowTaskStartedRequest[] = [];
  readonly activityStarts: RecordActivityTaskStartedRequest[] = [];
  /** Errors thrown once for the task with this scheduled event id. */
  readonly failOnce = new Map<number, Error>();

  recordWorkflowTaskStarted = async (
    request: DeepPartial<RecordWorkflowTaskStartedRequest>,
  ): Promise<RecordWorkflowTaskStartedResponse> => {
    this.workflowStarts.push(request as RecordWorkflowTaskStartedRequest);
    this.throwIfFailing(request.scheduledEventId!);
    return RecordWorkflowTaskStartedResponse.fromPartial({
      response: {
        taskToken: Buffer.from(`wf/${request.scheduledEventId}`),
        workflowExecution: request.execution,
        startedEventId: request.scheduledEventId! + 1,
        attempt: 1,
      },
    });
  };

  recordActivityTaskStarted = async (
    request: DeepPartial<RecordActivityTaskStartedRequest>,
  ): Promise<RecordActivityTaskStartedResponse> => {
    this.activityStarts.push(request as RecordActivityTaskStartedRequest);
    this.throwIfFailing(request.scheduledEventId!);
    return RecordActivityTaskStartedResponse.fromPartial({
      response: {
        taskToken: Buffer.from(`act/${request.scheduledEventId}`),
        workflowExecution: request.execution,
        activityId: `activity-${request.scheduledEventId}`,
        attempt: request.attempt,
      },
    });
  };

  private throwIfFailing(scheduledEventId: number): void {
    const err = this.failOnce.get(scheduledEventId);
    if (!err) return;
    this.failOnce.delete(scheduledEventId);
    throw err;
  }
}

function workflowTask(scheduledEventId: number, overrides: DeepPartial<AddWorkflowTaskRequest> = {}) {
  return {
    namespaceId: NAMESPACE_ID,
    execution: { workflowId: `wf-${scheduledEventId}`, runId: 'run-1' },
    taskQueue: { name: QUEUE, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    scheduledEventId,
    ...overrides,
  };
}

function workflowPoll(identity = 'worker-1', kind = TaskQueueKind.TASK_QUEUE_KIND_NORMAL, name = QUEUE) {
  return {
    namespaceId: NAMESPACE_ID,
    pollerId: `poll-${Math.random()}`,
    pollRequest: { namespace: 'default', taskQueue: { name, kind }, identity },
  };
}

const workflowQueueKey: TaskQueueKey = {
  namespaceId: NAMESPACE_ID,
  name: QUEUE,
  taskType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
};

async function persistedTaskCount(stores: PersistenceStores, key = workflowQueueKey): Promise<number> {
  return (await stores.taskQueues.getTasks(key, 0, Number.MAX_SAFE_INTEGER, 100)).length;
}

describe('MatchingService', () => {
  let stores: PersistenceStores;
  let history: FakeHistory;
  let services: MatchingService[];

  beforeEach(() => {
    stores = openSqliteStores();
    history = new FakeHistory();
    services = [];
  });

  afterEach(async () => {
    for (const service of services) await service.stop();
    await stores.close();
  });

  /** `pollersSince`: by default long before now, so the restart window is over (see the restart test). */
  async function startMatching(
    pollersSince = Date.now() - 60_000,
  ): Promise<{ service: MatchingService; client: RpcClient<MatchingServiceServer> }> {
    const membership = new LocalMembership();
    await membership.register({ service: 'matching', identity: 'matching-test', address: '', startedTime: Date.now() });
    const service = new MatchingService({
      config: defaultConfig(),
      logger,
      stores,
      history,
      membership,
      identity: 'matching-test',
      pollersSince,
    });
    services.push(service);
    await service.start();
    return { service, client: inProcessClient(MatchingServiceService, messages, service.handlers()) };
  }

  /** Resolves once `identity` shows up as a poller of the queue, i.e. its poll has reached the queue and waits. */
  async function pollerWaiting(
    client: RpcClient<MatchingServiceServer>,
    identity: string,
    name = QUEUE,
    taskQueueType = TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  ): Promise<void> {
    for (;;) {
      const described = await client.describeTaskQueue({
        namespaceId: NAMESPACE_ID,
        request: { taskQueue: { name }, taskQueueType },
      });
      if (described.response?.pollers.some((poller) => poller.identity === identity)) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  const deadlineIn = (ms: number) => ({ deadline: Date.now() + ms });

  it('hands a task to a waiting poller without persisting it (sync match)', async () => {
    const { client } = await startMatching();
    const poll = client.pollWorkflowTaskQueue(workflowPoll(), deadlineIn(NO_DEADLINE_MS));
    await pollerWaiting(client, 'worker-1');

    await client.addWorkflowTask(workflowTask(3));

    const { response } = await poll;
    expect(response?.workflowExecution?.workflowId).toBe('wf-3');
    expect(response?.startedEventId).toBe(4);
    expect(history.workflowStarts).toHaveLength(1);
    expect(history.workflowStarts[0]).toMatchObject({ namespaceId: NAMESPACE_ID, scheduledEventId: 3 });
    expect(history.workflowStarts[0]!.pollRequest?.identity).toBe('worker-1');
    expect(await persistedTaskCount(stores)).toBe(0);
  });

  it('returns from a sync-matched AddTask only after history recorded the start', async () => {
    const { client } = await startMatching();
    const poll = client.pollWorkflowTaskQueue(workflowPoll(), deadlineIn(NO_DEADLINE_MS));
    await pollerWaiting(client, 'worker-1');

    await client.addWorkflowTask(workflowTask(3));
    // By the time AddTask returns (and history would ack its transfer task), the start is recorded.
    expect(history.workflowStarts).toHaveLength(1);
    await poll;
  });

  it('persists a sync-matched task whose start could not be recorded before AddTask returns', async () => {
    const { client } = await startMatching();
    const poll = client.pollWorkflowTaskQueue(workflowPoll(), deadlineIn(NO_DEADLINE_MS));
    await pollerWaiting(client, 'worker-1');
    history.failOnce.set(3, unavailable('history restarting'));

    await client.addWorkflowTask(workflowTask(3));
    expect(await persistedTaskCount(stores)).toBe(1);
    const { response } = await poll;
    expect(response?.workflowExecution?.workflowId).toBe('wf-3');
  });

  it('persists a task nobody polls for and delivers it to a later poller', async () => {
    const { client } = await startMatching();
    await client.addWorkflowTask(workflowTask(3));
    expect(await persistedTaskCount(stores)).toBe(1);

    const { response } = await client.pollWorkflowTaskQueue(workflowPoll(), deadlineIn(NO_DEADLINE_MS));
    expect(response?.workflowExecution?.workflowId).toBe('wf-3');
  });

  it('tells each workflow task poller how many tasks are still queued (backlog_count_hint)', async () => {
    const { client } = await startMatching();
    for (const id of [3, 4, 5]) await client.addWorkflowTask(workflowTask(id));

    const hints: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { response } = await client.pollWorkflowTaskQueue(workflowPoll(), deadlineIn(NO_DEADLINE_MS));
      hints.push(response!.backlogCountHint);
    }
    expect(hints).toEqual([2, 1, 0]);
  });

  it('delivers activity tasks with the attempt history dispatched', async () => {
    const { client } = await startMatching();
    await client.addActivityTask({ ...workflowTask(5), attempt: 3 });

    const { response } = await client.pollActivityTaskQueue(
      { namespaceId: NAMESPACE_ID, pollerId: 'poll-a', pollRequest: { taskQueue: { name: QUEUE }, identity: 'w' } },
      deadlineIn(NO_DEADLINE_MS),
    );
    expect(response?.activityId).toBe('activity-5');
    expect(history.activityStarts[0]).toMatchObject({ scheduledEventId: 5, attempt: 3, requestId: 'poll-a' });
  });

  it('keeps the backlog across a restart and does not redeliver acknowledged tasks', async () => {
    const first = await startMatching();
    await first.client.addWorkflowTask(workflowTask(3));
    await first.service.stop();

    const second = await startMatching();
    const { response } = await second.client.pollWorkflowTaskQueue(workflowPoll(), deadlineIn(NO_DEADLINE_MS));
    expect(response?.workflowExecution?.workflowId).toBe('wf-3');
    await second.service.stop();

    const third = await startMatching();
    const empty = await third.client.pollWorkflowTaskQueue(workflowPoll(), deadlineIn(1_100));
    expect(empty.response).toBeUndefined();
    expect(await persistedTaskCount(stores)).toBe(0);
  });

  it('skips a task history calls stale and delivers the next one in the same poll', async () => {
    const { client } = await startMatching();
    history.failOnce.set(3, notFound('workflow execution already completed'));
    await client.addWorkflowTask(workflowTask(3));
    await client.addWorkflowTask(workflowTask(7));

    const { response } = await client.pollWorkflowTaskQueue(workflowPoll(), deadlineIn(NO_DEADLINE_MS));
    expect(response?.workflowExecution?.workflowId).toBe('wf-7');
    expect(history.workflowStarts.map((start) => start.scheduledEventId)).toEqual([3, 7]);
  });

  it('requeues a task whose start history could not record, for the next poller', async () => {
    const { client } = await startMatching();
    history.failOnce.set(3, unavailable('shard moving'));
    const unlucky = client.pollWorkflowTaskQueue(workflowPoll('unlucky'), deadlineIn(1_300));
    await pollerWaiting(client, 'unlucky');
    const lucky = client.pollWorkflowTaskQueue(workflowPoll('lucky'), deadlineIn(NO_DEADLINE_MS));
    await pollerWaiting(client, 'lucky');

    await client.addWorkflowTask(workflowTask(3));

    expect((await lucky).response?.workflowExecution?.workflowId).toBe('wf-3');
    expect((await unlucky).response).toBeUndefined();
    expect(history.workflowStarts.map((start) => start.pollRequest?.identity)).toEqual(['unlucky', 'lucky']);
  });

  it('answers empty at the caller deadline, keeping a second back', async () => {
    const { client } = await startMatching();
    const started = Date.now();
    const result = await client.pollWorkflowTaskQueue(workflowPoll(), deadlineIn(1_500));
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(result.response).toBeUndefined();
  });

  it('answers empty at once when less than a second remains', async () => {
    const { client } = await startMatching();
    await client.addWorkflowTask(workflowTask(3));
    const started = Date.now();
    const result = await client.pollWorkflowTaskQueue(workflowPoll(), deadlineIn(900));
    expect(Date.now() - started).toBeLessThan(100);
    expect(result.response).toBeUndefined();
    expect(history.workflowStarts).toHaveLength(0);
  });

  it('ends a poll when its caller cancels', async () => {
    const { client } = await startMatching();
    const cancel = new AbortController();
    const poll = client.pollWorkflowTaskQueue(workflowPoll(), { ...deadlineIn(NO_DEADLINE_MS), signal: cancel.signal });
    await pollerWaiting(client, 'worker-1');
    cancel.abort();
    expect((await poll).response).toBeUndefined();
  });

  it('ends outstanding polls at stop()', async () => {
    const { service, client } = await startMatching();
    const workflowPollDone = client.pollWorkflowTaskQueue(workflowPoll(), deadlineIn(NO_DEADLINE_MS));
    const activityPollDone = client.pollActivityTaskQueue(
      { namespaceId: NAMESPACE_ID, pollRequest: { taskQueue: { name: QUEUE }, identity: 'activity-worker' } },
      deadlineIn(NO_DEADLINE_MS),
    );
    await pollerWaiting(client, 'worker-1');
    await pollerWaiting(client, 'activity-worker', QUEUE, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY);

    const started = Date.now();
    await service.stop();
    expect((await workflowPollDone).response).toBeUndefined();
    expect((await activityPollDone).response).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(500);
    await expect(client.addWorkflowTask(workflowTask(3))).rejects.toMatchObject({ code: Code.UNAVAILABLE });
  });

  it('rejects a sticky task without a recent sticky poller, and matches it once one polls', async () => {
    const { client } = await startMatching();
    const stickyTask = workflowTask(3, {
      taskQueue: { name: STICKY_QUEUE, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY },
    });

    const rejected = await client.addWorkflowTask(stickyTask).catch((err: unknown) => err);
    expect(rejected).toBeInstanceOf(RpcError);
    expect(rejected).toMatchObject({ code: Code.FAILED_PRECONDITION });
    expect(isStickyWorkerUnavailable(rejected)).toBe(true);

    const poll = client.pollWorkflowTaskQueue(
      workflowPoll('sticky-worker', TaskQueueKind.TASK_QUEUE_KIND_STICKY, STICKY_QUEUE),
      deadlineIn(NO_DEADLINE_MS),
    );
    await pollerWaiting(client, 'sticky-worker', STICKY_QUEUE);
    await client.addWorkflowTask(stickyTask);

    expect((await poll).response?.workflowExecution?.workflowId).toBe('wf-3');
    expect(history.workflowStarts[0]!.pollRequest?.taskQueue?.kind).toBe(TaskQueueKind.TASK_QUEUE_KIND_STICKY);
  });

  it('keeps sticky tasks in memory only while the sticky worker polled recently', async () => {
    const { client } = await startMatching();
    const stickyPoll = workflowPoll('sticky-worker', TaskQueueKind.TASK_QUEUE_KIND_STICKY, STICKY_QUEUE);
    await client.pollWorkflowTaskQueue(stickyPoll, deadlineIn(1_100));

    await client.addWorkflowTask(
      workflowTask(3, { taskQueue: { name: STICKY_QUEUE, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY } }),
    );
    expect(await persistedTaskCount(stores, { ...workflowQueueKey, name: STICKY_QUEUE })).toBe(0);
    const { response } = await client.pollWorkflowTaskQueue(stickyPoll, deadlineIn(NO_DEADLINE_MS));
    expect(response?.workflowExecution?.workflowId).toBe('wf-3');
  });

  it('takes sticky tasks for workers of a previous process for 10 s after its start, unless they shut down', async () => {
    const { client } = await startMatching(Date.now());
    const stickyTask = (queue: string) =>
      workflowTask(3, { taskQueue: { name: queue, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY } });
    await client.shutdownWorker({ namespaceId: NAMESPACE_ID, stickyTaskQueue: 'gone-worker' });

    await client.addWorkflowTask(stickyTask(STICKY_QUEUE));
    const refused = await client.addWorkflowTask(stickyTask('gone-worker')).catch((err: unknown) => err);
    expect(isStickyWorkerUnavailable(refused)).toBe(true);
    const poll = workflowPoll('sticky-worker', TaskQueueKind.TASK_QUEUE_KIND_STICKY, STICKY_QUEUE);
    const { response } = await client.pollWorkflowTaskQueue(poll, deadlineIn(NO_DEADLINE_MS));
    expect(response?.workflowExecution?.workflowId).toBe('wf-3');
  });

  it("treats a shut-down worker's sticky queue as gone: its poll ends and new sticky tasks are refused", async () => {
    const { client } = await startMatching();
    const poll = client.pollWorkflowTaskQueue(
      workflowPoll('sticky-worker', TaskQueueKind.TASK_QUEUE_KIND_STICKY, STICKY_QUEUE),
      deadlineIn(NO_DEADLINE_MS),
    );
    await pollerWaiting(client, 'sticky-worker', STICKY_QUEUE);

    await client.shutdownWorker({ namespaceId: NAMESPACE_ID, stickyTaskQueue: STICKY_QUEUE });

    expect((await poll).response).toBeUndefined();
    const rejected = await client
      .addWorkflowTask(
        workflowTask(3, { taskQueue: { name: STICKY_QUEUE, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY } }),
      )
      .catch((err: unknown) => err);
    expect(isStickyWorkerUnavailable(rejected)).toBe(true);
  });

  it('describes the pollers of the requested task queue type', async () => {
    const { client } = await startMatching();
    await client.pollWorkflowTaskQueue(workflowPoll('worker-42'), deadlineIn(1_050));

    const workflowPollers = await client.describeTaskQueue({
      namespaceId: NAMESPACE_ID,
      request: { taskQueue: { name: QUEUE } },
    });
    const pollers = workflowPollers.response?.pollers ?? [];
    expect(pollers).toHaveLength(1);
    expect(pollers[0]).toMatchObject({ identity: 'worker-42', ratePerSecond: 0 });
    expect(Date.now() - pollers[0]!.lastAccessTime!.getTime()).toBeLessThan(5_000);
    const activityPollers = await client.describeTaskQueue({
      namespaceId: NAMESPACE_ID,
      request: { taskQueue: { name: QUEUE }, taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY },
    });
    expect(activityPollers.response?.pollers).toEqual([]);
  });

  it('drops a task whose schedule-to-start timeout passed', async () => {
    const { client } = await startMatching();
    await client.addWorkflowTask(workflowTask(3, { scheduleToStartTimeout: { seconds: 0, nanos: 1_000_000 } }));
    await client.addWorkflowTask(workflowTask(7));
    // The only wait on the clock: the first task's one-millisecond timeout must pass.
    await new Promise((resolve) => setTimeout(resolve, 5));

    const { response } = await client.pollWorkflowTaskQueue(workflowPoll(), deadlineIn(NO_DEADLINE_MS));
    expect(response?.workflowExecution?.workflowId).toBe('wf-7');
    expect(history.workflowStarts.map((start) => start.scheduledEventId)).toEqual([7]);
  });

  it('answers UNAVAILABLE when another matching host took the queue', async () => {
    const first = await startMatching();
    const second = await startMatching();
    await first.client.addWorkflowTask(workflowTask(3));
    await second.client.addWorkflowTask(workflowTask(4));

    await expect(first.client.addWorkflowTask(workflowTask(5))).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    expect(await persistedTaskCount(stores)).toBe(2);
  });

  it('rejects a task without a task queue name', async () => {
    const { client } = await startMatching();
    await expect(client.addWorkflowTask(workflowTask(3, { taskQueue: { name: '' } }))).rejects.toMatchObject({
      code: Code.INVALID_ARGUMENT,
    });
  });

  it('serves the same API over gRPC', async () => {
    const { service } = await startMatching();
    const server = createServer();
    service.register(server);
    const port = await listen(server, '127.0.0.1', 0);
    const grpcClient = new MatchingServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
    try {
      const stickyTask = AddWorkflowTaskRequest.fromPartial(
        workflowTask(3, { taskQueue: { name: STICKY_QUEUE, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY } }),
      );
      const addError = await new Promise<ServiceError | null>((resolve) =>
        grpcClient.addWorkflowTask(stickyTask, (err) => resolve(err)),
      );
      expect(addError?.code).toBe(Code.FAILED_PRECONDITION);
      expect(addError?.details).toMatch(/^StickyWorkerUnavailable: /);

      const emptyPoll = await new Promise<PollWorkflowTaskQueueResponse>((resolve, reject) =>
        grpcClient.pollWorkflowTaskQueue(
          PollWorkflowTaskQueueRequest.fromPartial(workflowPoll()),
          new Metadata(),
          { deadline: Date.now() + 1_100 },
          (err, response) => (err ? reject(err) : resolve(response)),
        ),
      );
      expect(emptyPoll.response).toBeUndefined();
    } finally {
      grpcClient.close();
      await shutdown(server, 1_000);
    }
  });
});

// Workflow tasks through the official TypeScript SDK: failed and retried tasks, local activities, parallel commands,
// history paging and long polls, task-queue pollers, empty polls and sticky queues. Expected histories are those of
// the official Go server (run this file with TEMPORA_TEST_ORACLE=host:port to check).
import { status } from '@grpc/grpc-js';
import { describe, expect, it } from '@jest/globals';
import { defaultPayloadConverter } from '@temporalio/common';
import protos from '@temporalio/proto';
import Long from 'long';
import * as activities from './feature-activities.js';
import { grpcFailure, uniqueName } from './helpers.js';
import {
  bundleWorkflows,
  eventTypeName,
  readHistory,
  runWorker,
  startRawWorkflow,
  useSdkTarget,
  waitForEvent,
  type HistoryEvent,
  type RunningWorker,
} from './sdk-support.js';
import type * as workflows from './workflows/features.js';

const { CommandType, EventType, HistoryEventFilterType, TaskQueueKind, TaskQueueType, WorkflowTaskFailedCause } =
  protos.temporal.api.enums.v1;

const taskQueue = uniqueName('tasks');
const sdk = useSdkTarget({ taskQueue, activities });

const types = (events: HistoryEvent[]): string[] => events.map(eventTypeName);

function ofType(events: HistoryEvent[], type: protos.temporal.api.enums.v1.EventType): HistoryEvent[] {
  return events.filter((e) => e.eventType === type);
}

describe('workflow task failures', () => {
  it('records the first failure of a workflow task and keeps its retries transient', async () => {
    // The workflow's "broken" build (workflows/failing-task.ts) throws a plain Error, which fails the workflow task.
    // The SDK reports only the first failed attempt; later attempts are dropped and end by the (1 s) workflow task
    // timeout. Once the broken worker has failed a few attempts it is replaced by a worker running the fixed build.
    const queue = uniqueName('task-failure');
    const brokenBundle = await bundleWorkflows('failing-task');
    const broken = await runWorker(sdk.address, {
      taskQueue: queue,
      workflowBundle: brokenBundle,
      identity: 'broken-worker',
    });
    const workflowId = uniqueName('task-failure');
    let fixed: RunningWorker | undefined;
    try {
      const handle = await sdk.client.workflow.start('taskFailureWorkflow', {
        taskQueue: queue,
        workflowId,
        workflowTaskTimeout: '1s',
      });
      await waitForEvent(
        sdk.connection,
        workflowId,
        undefined,
        (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
      );
      await broken.stop();
      fixed = await runWorker(sdk.address, { taskQueue: queue, workflowBundle: sdk.bundle, identity: 'fixed-worker' });
      expect(await handle.result()).toBe('recovered');
    } finally {
      await broken.stop();
      await fixed?.stop();
    }

    const events = await readHistory(sdk.connection, workflowId);
    expect(types(events)).toEqual([
      'WORKFLOW_EXECUTION_STARTED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_FAILED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_COMPLETED',
      'WORKFLOW_EXECUTION_COMPLETED',
    ]);
    const failed = events[3]!.workflowTaskFailedEventAttributes!;
    expect(failed.cause).toBe(WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE);
    expect(failed.failure?.message).toBe('task failure');
    expect(failed.identity).toBe('broken-worker');
    expect(failed.scheduledEventId).toEqual(events[1]!.eventId);
    expect(failed.startedEventId).toEqual(events[2]!.eventId);
    // The attempt that completed is written with its attempt number; the failed attempts between are not written.
    const retried = events[4]!.workflowTaskScheduledEventAttributes!;
    expect(retried.attempt).toBeGreaterThanOrEqual(2);
    expect(retried.taskQueue?.kind).toBe(TaskQueueKind.TASK_QUEUE_KIND_NORMAL);
    expect(events[5]!.workflowTaskStartedEventAttributes!.identity).toBe('fixed-worker');
  });
});

describe('workflow commands', () => {
  it('records local activities as markers', async () => {
    const workflowId = uniqueName('local-activity');
    expect(
      await sdk.client.workflow.execute('localActivityWorkflow', { taskQueue, workflowId, args: ['local'] }),
    ).toEqual(['local', 'local again']);
    const events = await readHistory(sdk.connection, workflowId);
    expect(types(events).filter((type) => type.startsWith('ACTIVITY_TASK'))).toEqual([]);
    const markers = ofType(events, EventType.EVENT_TYPE_MARKER_RECORDED).map((e) => e.markerRecordedEventAttributes!);
    expect(markers.map((m) => m.markerName)).toEqual(['core_local_activity', 'core_local_activity']);
    expect(markers.map((m) => defaultPayloadConverter.fromPayload(m.details!.result!.payloads![0]!))).toEqual([
      'local',
      'local again',
    ]);
    for (const marker of markers) {
      expect(Object.keys(marker.details!).sort()).toEqual(['data', 'result']);
      const [data] = marker.details!.data!.payloads!.map((p) =>
        defaultPayloadConverter.fromPayload<{ activity_type: string }>(p),
      );
      expect(data!.activity_type).toBe('echo');
    }
  });

  it('runs parallel activities and timers', async () => {
    const workflowId = uniqueName('fan-out');
    const result = await sdk.client.workflow.execute<typeof workflows.fanOutWorkflow>('fanOutWorkflow', {
      taskQueue,
      workflowId,
      args: [20, 5],
    });
    expect(result).toEqual({ sum: 210, timersFired: 5 });
    const events = await readHistory(sdk.connection, workflowId);
    const counts = (type: protos.temporal.api.enums.v1.EventType) => ofType(events, type).length;
    expect(counts(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe(20);
    expect(counts(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)).toBe(20);
    expect(counts(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)).toBe(20);
    expect(counts(EventType.EVENT_TYPE_TIMER_STARTED)).toBe(5);
    expect(counts(EventType.EVENT_TYPE_TIMER_FIRED)).toBe(5);
    // All 25 commands come from the first workflow task.
    expect(types(events).slice(4, 29)).toEqual([
      ...Array<string>(20).fill('ACTIVITY_TASK_SCHEDULED'),
      ...Array<string>(5).fill('TIMER_STARTED'),
    ]);
    expect(types(events).at(-1)).toBe('WORKFLOW_EXECUTION_COMPLETED');
  });
});

describe('command validation', () => {
  // Upstream checks a cancel against the run's state: canceling an activity or a timer the run never had fails the
  // workflow task (nothing of the task is written), with the mutable-state refusal as message.
  it.each([
    [
      'an activity the run never scheduled',
      {
        commandType: CommandType.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK,
        requestCancelActivityTaskCommandAttributes: { scheduledEventId: Long.fromNumber(99) },
      },
      WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES,
      'BadRequestCancelActivityAttributes: invalid history builder state for action: add-activitytask-cancel-requested-event, ScheduledEventID: 99',
    ],
    [
      'a timer the run never started',
      { commandType: CommandType.COMMAND_TYPE_CANCEL_TIMER, cancelTimerCommandAttributes: { timerId: 'nope' } },
      WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES,
      'BadCancelTimerAttributes: invalid history builder state for action: add-timer-canceled-event, TimerID: nope',
    ],
  ])('fails the workflow task canceling %s', async (_, command, cause, message) => {
    const { workflowId, poll } = await startRawWorkflow(sdk.connection, 'bad-cancel');
    const task = await poll();
    const failure = await grpcFailure(
      sdk.connection.workflowService.respondWorkflowTaskCompleted({
        namespace: 'default',
        taskToken: task.taskToken,
        identity: 'raw',
        commands: [command],
      }),
    );
    expect(failure).toMatchObject({ code: status.INVALID_ARGUMENT, message });
    const events = await readHistory(sdk.connection, workflowId);
    expect(types(events)).toEqual([
      'WORKFLOW_EXECUTION_STARTED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_FAILED',
      'WORKFLOW_TASK_SCHEDULED',
    ]);
    const failed = events[3]!.workflowTaskFailedEventAttributes!;
    expect([failed.cause, failed.failure?.message]).toEqual([cause, message]);
    await sdk.connection.workflowService.terminateWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId },
    });
  });
});

describe('history', () => {
  /** A finished run of 100 parallel activities: a history of more than 300 events. */
  let longHistory: Promise<{ workflowId: string; runId: string }> | undefined;
  function runLongHistory(): Promise<{ workflowId: string; runId: string }> {
    longHistory ??= (async () => {
      const workflowId = uniqueName('long-history');
      const handle = await sdk.client.workflow.start('manyActivitiesWorkflow', { taskQueue, workflowId, args: [100] });
      expect(await handle.result()).toBe(100);
      return { workflowId, runId: handle.firstExecutionRunId };
    })();
    return longHistory;
  }

  async function forwardPages(
    execution: { workflowId: string; runId: string },
    maximumPageSize: number,
  ): Promise<HistoryEvent[][]> {
    const pages: HistoryEvent[][] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page: protos.temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryResponse =
        await sdk.connection.workflowService.getWorkflowExecutionHistory({
          namespace: 'default',
          execution,
          maximumPageSize,
          nextPageToken,
        });
      pages.push(page.history?.events ?? []);
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return pages;
  }

  it('pages a long history forwards and backwards', async () => {
    const execution = await runLongHistory();
    // Upstream's page size counts the batches events were written in (one per transaction), not events.
    const pages = await forwardPages(execution, 5);
    const forward = pages.flat();
    expect(forward.length).toBeGreaterThan(300);
    expect(pages.filter((page) => page.length > 0).length).toBeGreaterThan(2);
    expect(forward.map((e) => Number(e.eventId))).toEqual(Array.from({ length: forward.length }, (_, i) => i + 1));
    expect(types(forward).at(-1)).toBe('WORKFLOW_EXECUTION_COMPLETED');

    const backward: HistoryEvent[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page: protos.temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryReverseResponse =
        await sdk.connection.workflowService.getWorkflowExecutionHistoryReverse({
          namespace: 'default',
          execution,
          maximumPageSize: 5,
          nextPageToken,
        });
      backward.push(...(page.history?.events ?? []));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    expect(backward.map((e) => Number(e.eventId))).toEqual(forward.map((e) => Number(e.eventId)).reverse());
    expect(types(backward)).toEqual(types(forward).reverse());
  });

  it('never splits the events written together across pages', async () => {
    const pages = await forwardPages(await runLongHistory(), 1);
    // The first workflow task's completion wrote its 100 ActivityTaskScheduled events in one batch: one page.
    const completion = pages.find((page) =>
      page.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
    )!;
    expect(types(completion)).toEqual([
      'WORKFLOW_TASK_COMPLETED',
      ...Array<string>(100).fill('ACTIVITY_TASK_SCHEDULED'),
    ]);
    expect(types(pages[0]!)).toEqual(['WORKFLOW_EXECUTION_STARTED', 'WORKFLOW_TASK_SCHEDULED']);
  });

  it('long-polls for the close event of a running workflow', async () => {
    const workflowId = uniqueName('close-event');
    const handle = await sdk.client.workflow.start('sleepWorkflow', { taskQueue, workflowId, args: [1000] });
    const request = {
      namespace: 'default',
      execution: { workflowId, runId: handle.firstExecutionRunId },
      waitNewEvent: true,
      historyEventFilterType: HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
    };
    let response = await sdk.connection.workflowService.getWorkflowExecutionHistory(request);
    // A long poll may end empty, with a token to continue waiting.
    while (!response.history?.events?.length && response.nextPageToken?.length) {
      response = await sdk.connection.workflowService.getWorkflowExecutionHistory({
        ...request,
        nextPageToken: response.nextPageToken,
      });
    }
    expect(types(response.history?.events ?? [])).toEqual(['WORKFLOW_EXECUTION_COMPLETED']);
    expect(response.nextPageToken?.length ?? 0).toBe(0);
    const result = response.history!.events![0]!.workflowExecutionCompletedEventAttributes!.result;
    expect(defaultPayloadConverter.fromPayload(result!.payloads![0]!)).toBe('slept');
  });
});

describe('task queues', () => {
  it('lists the worker as a poller of its task queue', async () => {
    await sdk.client.workflow.execute('fanOutWorkflow', { taskQueue, workflowId: uniqueName('pollers'), args: [1, 0] });
    const identity = sdk.worker.worker.options.identity;
    for (const taskQueueType of [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY]) {
      const description = await sdk.connection.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType,
      });
      const pollers = description.pollers ?? [];
      expect(pollers.map((p) => p.identity)).toContain(identity);
      expect(pollers.find((p) => p.identity === identity)!.lastAccessTime).toBeTruthy();
    }
  });

  it('answers a poll of an idle task queue with an empty response before the deadline', async () => {
    const started = Date.now();
    const deadline = started + 3000;
    const response = await sdk.connection.withDeadline(deadline, () =>
      sdk.connection.workflowService.pollWorkflowTaskQueue({
        namespace: 'default',
        taskQueue: { name: uniqueName('idle'), kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        identity: 'idle-poller',
      }),
    );
    expect(Date.now()).toBeLessThan(deadline);
    expect(response.taskToken?.length ?? 0).toBe(0);
    expect(response.workflowExecution ?? null).toBeNull();
  });

  it("schedules a workflow's next task on the sticky queue of the worker that ran it", async () => {
    const workflowId = uniqueName('sticky');
    expect(await sdk.client.workflow.execute('sleepWorkflow', { taskQueue, workflowId, args: [100] })).toBe('slept');
    const events = await readHistory(sdk.connection, workflowId);
    const scheduled = ofType(events, EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED).map(
      (e) => e.workflowTaskScheduledEventAttributes!.taskQueue!,
    );
    expect(scheduled).toHaveLength(2);
    expect(scheduled[0]).toEqual(
      expect.objectContaining({ name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL }),
    );
    expect(scheduled[1]!.kind).toBe(TaskQueueKind.TASK_QUEUE_KIND_STICKY);
    expect(scheduled[1]!.normalName).toBe(taskQueue);
    expect(scheduled[1]!.name).not.toBe(taskQueue);
    const identities = ofType(events, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED).map(
      (e) => e.workflowTaskStartedEventAttributes!.identity,
    );
    expect(identities).toEqual([sdk.worker.worker.options.identity, sdk.worker.worker.options.identity]);
  });

  it('hands the sticky task of a worker that shut down to the normal queue', async () => {
    // The SDK worker tells the server it is shutting down (ShutdownWorker); upstream then sends its sticky tasks to the
    // normal queue at once instead of waiting for the sticky schedule-to-start timeout.
    const queue = uniqueName('sticky-fallback');
    const first = await runWorker(sdk.address, {
      taskQueue: queue,
      workflowBundle: sdk.bundle,
      identity: 'sticky-worker-1',
      stickyQueueScheduleToStartTimeout: '2s',
    });
    const workflowId = uniqueName('sticky-fallback');
    let second: RunningWorker | undefined;
    try {
      const handle = await sdk.client.workflow.start('sleepWorkflow', { taskQueue: queue, workflowId, args: [2500] });
      await waitForEvent(
        sdk.connection,
        workflowId,
        undefined,
        (e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED,
      );
      await first.stop();
      second = await runWorker(sdk.address, {
        taskQueue: queue,
        workflowBundle: sdk.bundle,
        identity: 'sticky-worker-2',
      });
      expect(await handle.result()).toBe('slept');
    } finally {
      await first.stop();
      await second?.stop();
    }

    const events = await readHistory(sdk.connection, workflowId);
    const afterTimer = events.slice(types(events).indexOf('TIMER_FIRED') + 1);
    expect(types(afterTimer)).toEqual([
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_COMPLETED',
      'WORKFLOW_EXECUTION_COMPLETED',
    ]);
    // Scheduled while the first worker's sticky queue was current, started from the normal queue by the second worker.
    const sticky = afterTimer[0]!.workflowTaskScheduledEventAttributes!.taskQueue!;
    expect(sticky.kind).toBe(TaskQueueKind.TASK_QUEUE_KIND_STICKY);
    expect(sticky.normalName).toBe(queue);
    expect(afterTimer[1]!.workflowTaskStartedEventAttributes!.identity).toBe('sticky-worker-2');
  });
});

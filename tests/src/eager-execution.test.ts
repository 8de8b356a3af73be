// Eager execution (issue 17 item 9), as upstream: StartWorkflowExecution with request_eager_execution answers the
// first workflow task itself (unless the first task waits for a start delay), and ScheduleActivityTask commands with
// request_eager_execution come back started in RespondWorkflowTaskCompletedResponse.activity_tasks, never through
// matching. The TS SDK does not request eager starts (the Go SDK does), so the start is driven by raw requests; eager
// activities are requested by the TS worker itself.
import { describe, expect, it } from '@jest/globals';
import protos from '@temporalio/proto';
import Long from 'long';
import * as activities from './feature-activities.js';
import { uniqueName } from './helpers.js';
import { eventTypeName, readHistory, useSdkTarget, type HistoryEvent } from './sdk-support.js';
import type * as workflows from './workflows/features.js';

const { CommandType, EventType } = protos.temporal.api.enums.v1;

const taskQueue = uniqueName('eager');
const sdk = useSdkTarget({ taskQueue, activities });

const types = (events: HistoryEvent[]) => events.map(eventTypeName);
const timeMs = (event: HistoryEvent) =>
  Number(event.eventTime!.seconds ?? 0) * 1000 + Math.floor((event.eventTime!.nanos ?? 0) / 1e6);

function startRaw(workflowId: string, queue: string, fields: Record<string, unknown> = {}) {
  return sdk.connection.workflowService.startWorkflowExecution({
    namespace: 'default',
    workflowId,
    workflowType: { name: 'rawEager' },
    taskQueue: { name: queue },
    requestId: uniqueName('req'),
    identity: 'eager-worker',
    requestEagerExecution: true,
    ...fields,
  });
}

describe('eager workflow start', () => {
  it('advertises eagerWorkflowStart in GetSystemInfo and the namespace capabilities', async () => {
    const info = await sdk.connection.workflowService.getSystemInfo({});
    expect(info.capabilities?.eagerWorkflowStart).toBe(true);
    const ns = await sdk.connection.workflowService.describeNamespace({ namespace: 'default' });
    expect(ns.namespaceInfo?.capabilities?.eagerWorkflowStart).toBe(true);
  });

  it('answers the start with the started first workflow task, which the caller completes without a poll', async () => {
    const workflowId = uniqueName('eager-start');
    const response = await startRaw(workflowId, uniqueName('eager-queue'));
    const task = response.eagerWorkflowTask!;
    expect(task).toBeTruthy();
    expect(task.taskToken?.length).toBeGreaterThan(0);
    expect(task.workflowExecution).toMatchObject({ workflowId, runId: response.runId });
    expect(Number(task.startedEventId)).toBe(3);
    expect(task.attempt).toBe(1);
    expect(types(task.history!.events!)).toEqual([
      'WORKFLOW_EXECUTION_STARTED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
    ]);
    expect(task.history!.events![2]!.workflowTaskStartedEventAttributes?.identity).toBe('eager-worker');

    await sdk.connection.workflowService.respondWorkflowTaskCompleted({
      namespace: 'default',
      taskToken: task.taskToken,
      identity: 'eager-worker',
      commands: [
        {
          commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
          completeWorkflowExecutionCommandAttributes: {},
        },
      ],
    });
    expect(types(await readHistory(sdk.connection, workflowId))).toEqual([
      'WORKFLOW_EXECUTION_STARTED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_COMPLETED',
      'WORKFLOW_EXECUTION_COMPLETED',
    ]);
  });

  it('falls back to matching when the first task waits for a start delay', async () => {
    const workflowId = uniqueName('eager-delayed');
    const queue = uniqueName('eager-delayed');
    const response = await startRaw(workflowId, queue, { workflowStartDelay: { nanos: 100_000_000 } });
    expect(response.eagerWorkflowTask).toBeFalsy();
    const polled = await sdk.connection.withDeadline(Date.now() + 30_000, () =>
      sdk.connection.workflowService.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: queue } }),
    );
    expect(polled.workflowExecution?.workflowId).toBe(workflowId);
  });
});

describe('eager activity dispatch', () => {
  it('answers a completion with the activity tasks it asked to run, started without a poll', async () => {
    const workflowId = uniqueName('eager-activity');
    const activityQueue = uniqueName('nobody-polls');
    const start = await startRaw(workflowId, uniqueName('eager-queue'));
    const scheduled = (activityId: string, eager: boolean) => ({
      commandType: CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
      scheduleActivityTaskCommandAttributes: {
        activityId,
        activityType: { name: 'echo' },
        taskQueue: { name: activityQueue },
        startToCloseTimeout: { seconds: Long.fromNumber(30) },
        requestEagerExecution: eager,
      },
    });
    const completion = await sdk.connection.workflowService.respondWorkflowTaskCompleted({
      namespace: 'default',
      taskToken: start.eagerWorkflowTask!.taskToken,
      identity: 'eager-worker',
      commands: [scheduled('eager-1', true), scheduled('polled', false), scheduled('eager-2', true)],
    });
    expect(completion.activityTasks?.map((t) => t.activityId)).toEqual(['eager-1', 'eager-2']);
    const [first] = completion.activityTasks!;
    expect(first).toMatchObject({ activityType: { name: 'echo' }, attempt: 1, workflowNamespace: 'default' });
    // Nobody polls the activity queue: the task token from the completion is all the worker has.
    await sdk.connection.workflowService.respondActivityTaskCompleted({
      namespace: 'default',
      taskToken: first!.taskToken,
      identity: 'eager-worker',
    });
    const events = await readHistory(sdk.connection, workflowId);
    const started = events.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED);
    expect(started).toHaveLength(1);
    expect(started[0]!.activityTaskStartedEventAttributes?.identity).toBe('eager-worker');
    expect(types(events).slice(-3)).toEqual([
      'ACTIVITY_TASK_STARTED',
      'ACTIVITY_TASK_COMPLETED',
      'WORKFLOW_TASK_SCHEDULED',
    ]);
  });

  it("runs the TS worker's activities on its own queue eagerly: started in the completing transaction", async () => {
    const workflowId = uniqueName('eager-sdk');
    const result = await sdk.client.workflow.execute<typeof workflows.activityOutcomeWorkflow>(
      'activityOutcomeWorkflow',
      { taskQueue, workflowId, args: ['echo', ['eager'], { startToCloseTimeout: '30s' }] },
    );
    expect(result).toEqual({ result: 'eager' });
    const events = await readHistory(sdk.connection, workflowId);
    const completed = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)!;
    const started = events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)!;
    // A polled attempt starts after matching dispatched it; an eager one in the completion's own write.
    expect(timeMs(started)).toBe(timeMs(completed));
  });
});

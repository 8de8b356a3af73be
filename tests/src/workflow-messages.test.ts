// Messages and lifecycle through the official TypeScript SDK: signals, signal-with-start, cancellation,
// termination, deletion, child workflows, external signal/cancel and reset. Expected histories are those of the
// official Go server (run this file with TEMPORA_TEST_ORACLE=host:port to check).
import { describe, expect, it } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure, TerminatedFailure, defaultPayloadConverter } from '@temporalio/common';
import Long from 'long';
import protos, { type temporal } from '@temporalio/proto';
import { eventually, grpcFailure, uniqueName } from './helpers.js';
import { eventTypeName, readHistory, useSdkTarget, waitForEvent, type HistoryEvent } from './sdk-support.js';
import type * as workflows from './workflows/messages.js';

const { EventType, WorkflowExecutionStatus, ParentClosePolicy } = protos.temporal.api.enums.v1;

const taskQueue = uniqueName('messages');
const sdk = useSdkTarget({ taskQueue, workflows: 'messages' });

const types = (events: HistoryEvent[]): string[] => events.map(eventTypeName);
const newId = (prefix: string) => uniqueName(prefix);

async function describeStatus(handle: WorkflowHandle): Promise<number> {
  const description = await handle.describe();
  return description.raw.workflowExecutionInfo!.status!;
}

/** Waits until the run of `workflowId` (the current one) has an event of the type. */
function waitForType(
  workflowId: string,
  type: temporal.api.enums.v1.EventType,
  runId?: string,
): Promise<HistoryEvent[]> {
  return waitForEvent(sdk.connection, workflowId, runId, (e) => e.eventType === type);
}

const firstTask = [
  'WORKFLOW_EXECUTION_STARTED',
  'WORKFLOW_TASK_SCHEDULED',
  'WORKFLOW_TASK_STARTED',
  'WORKFLOW_TASK_COMPLETED',
];
const task = ['WORKFLOW_TASK_SCHEDULED', 'WORKFLOW_TASK_STARTED', 'WORKFLOW_TASK_COMPLETED'];

describe('signals', () => {
  it('delivers signals in order and records each as a WorkflowExecutionSignaled event', async () => {
    const workflowId = newId('signals');
    const handle = await sdk.client.workflow.start<typeof workflows.signalCollector>('signalCollector', {
      taskQueue,
      workflowId,
      args: [2],
    });
    await waitForType(workflowId, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    await handle.signal('add', 'a');
    await handle.signal('add', 'b');
    expect(await handle.result()).toEqual(['a', 'b']);
    const events = await readHistory(sdk.connection, workflowId);
    const signaled = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
    expect(signaled.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName)).toEqual(['add', 'add']);
    expect(types(events).at(-1)).toBe('WORKFLOW_EXECUTION_COMPLETED');
  });

  it('records a signal retried with the same request id once', async () => {
    const workflowId = newId('signal-dedupe');
    const handle = await sdk.client.workflow.start<typeof workflows.signalCollector>('signalCollector', {
      taskQueue,
      workflowId,
      args: [2],
    });
    const request = {
      namespace: 'default',
      workflowExecution: { workflowId },
      signalName: 'add',
      input: { payloads: [defaultPayloadConverter.toPayload('once')] },
      requestId: 'same-request',
      identity: 'test',
    };
    await sdk.client.workflowService.signalWorkflowExecution(request);
    await sdk.client.workflowService.signalWorkflowExecution(request);
    await handle.signal('add', 'then');
    expect(await handle.result()).toEqual(['once', 'then']);
    const signaled = (await readHistory(sdk.connection, workflowId)).filter(
      (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
    );
    expect(signaled).toHaveLength(2);
  });

  it('rejects a signal to a completed workflow with NOT_FOUND', async () => {
    const workflowId = newId('signal-closed');
    const handle = await sdk.client.workflow.start<typeof workflows.signalCollector>('signalCollector', {
      taskQueue,
      workflowId,
      args: [0],
    });
    await handle.result();
    const failure = await grpcFailure(
      sdk.client.workflowService.signalWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId },
        signalName: 'add',
      }),
    );
    expect(failure.code).toBe(status.NOT_FOUND);
    expect(failure.message).toBe('workflow execution already completed');
  });

  it('rejects a signal without a name, naming the field', async () => {
    const failure = await grpcFailure(
      sdk.client.workflowService.signalWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId: 'x' },
        signalName: '',
      }),
    );
    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.message).toBe('SignalName is not set on request.');
  });

  it('signal-with-start records the signal before the first workflow task, and signals a running workflow', async () => {
    const workflowId = newId('signal-with-start');
    const handle = await sdk.client.workflow.signalWithStart<typeof workflows.signalCollector, [string]>(
      'signalCollector',
      {
        taskQueue,
        workflowId,
        args: [2],
        signal: 'add',
        signalArgs: ['first'],
      },
    );
    await waitForType(workflowId, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    const again = await sdk.client.workflow.signalWithStart<typeof workflows.signalCollector, [string]>(
      'signalCollector',
      {
        taskQueue,
        workflowId,
        args: [2],
        signal: 'add',
        signalArgs: ['second'],
      },
    );
    expect(again.signaledRunId).toBe(handle.signaledRunId);
    expect(await handle.result()).toEqual(['first', 'second']);
    const events = await readHistory(sdk.connection, workflowId);
    expect(types(events).slice(0, 3)).toEqual([
      'WORKFLOW_EXECUTION_STARTED',
      'WORKFLOW_EXECUTION_SIGNALED',
      'WORKFLOW_TASK_SCHEDULED',
    ]);
  });
});

describe('bad requests', () => {
  it('deleting, terminating or canceling a workflow that never existed is NOT_FOUND', async () => {
    const workflowExecution = { workflowId: newId('nobody') };
    const calls = [
      () => sdk.client.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution }),
      () => sdk.client.workflowService.terminateWorkflowExecution({ namespace: 'default', workflowExecution }),
      () => sdk.client.workflowService.requestCancelWorkflowExecution({ namespace: 'default', workflowExecution }),
    ];
    for (const call of calls) {
      const failure = await grpcFailure(call());
      expect(failure.code).toBe(status.NOT_FOUND);
      expect(failure.message).toBe(`workflow not found for ID: ${workflowExecution.workflowId}`);
    }
  });

  it('signal-with-start without a workflow type is INVALID_ARGUMENT naming the field', async () => {
    const failure = await grpcFailure(
      sdk.client.workflowService.signalWithStartWorkflowExecution({
        namespace: 'default',
        workflowId: newId('sws-bad'),
        taskQueue: { name: taskQueue },
        signalName: 'add',
      }),
    );
    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.message).toBe('workflow type not set');
  });

  it('a reset without a request id is INVALID_ARGUMENT', async () => {
    const failure = await grpcFailure(
      sdk.client.workflowService.resetWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId: 'x' },
        workflowTaskFinishEventId: Long.fromNumber(4),
      }),
    );
    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.message).toBe('RequestId is not set on request.');
  });
});

describe('cancellation and termination', () => {
  it('a cancel request reaches the workflow, which ends CANCELED', async () => {
    const workflowId = newId('cancel');
    const handle = await sdk.client.workflow.start<typeof workflows.cancellableSleeper>('cancellableSleeper', {
      taskQueue,
      workflowId,
    });
    await waitForType(workflowId, EventType.EVENT_TYPE_TIMER_STARTED);
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(await describeStatus(handle)).toBe(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
    expect(types(await readHistory(sdk.connection, workflowId))).toEqual([
      ...firstTask,
      'TIMER_STARTED',
      'WORKFLOW_EXECUTION_CANCEL_REQUESTED',
      ...task,
      'TIMER_CANCELED',
      'WORKFLOW_EXECUTION_CANCELED',
    ]);
    // A second request for a closed run succeeds and changes nothing.
    await handle.cancel();
  });

  it('a workflow that handles its cancellation completes normally', async () => {
    const workflowId = newId('cancel-handled');
    const handle = await sdk.client.workflow.start<typeof workflows.cancellationHandler>('cancellationHandler', {
      taskQueue,
      workflowId,
    });
    await waitForType(workflowId, EventType.EVENT_TYPE_TIMER_STARTED);
    await handle.cancel();
    expect(await handle.result()).toBe('cleaned up');
    const events = await readHistory(sdk.connection, workflowId);
    const requested = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED)!;
    expect(requested.workflowExecutionCancelRequestedEventAttributes?.identity).toBeTruthy();
    expect(types(events).at(-1)).toBe('WORKFLOW_EXECUTION_COMPLETED');
  });

  it('terminate closes the run at once with the reason, and a second terminate is NOT_FOUND', async () => {
    const workflowId = newId('terminate');
    const handle = await sdk.client.workflow.start<typeof workflows.cancellableSleeper>('cancellableSleeper', {
      taskQueue,
      workflowId,
    });
    await waitForType(workflowId, EventType.EVENT_TYPE_TIMER_STARTED);
    await handle.terminate('enough');
    const err = await handle.result().catch((e: unknown) => e);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(TerminatedFailure);
    const events = await readHistory(sdk.connection, workflowId);
    expect(types(events)).toEqual([...firstTask, 'TIMER_STARTED', 'WORKFLOW_EXECUTION_TERMINATED']);
    expect(events.at(-1)!.workflowExecutionTerminatedEventAttributes?.reason).toBe('enough');
    const failure = await grpcFailure(
      sdk.client.workflowService.terminateWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId },
        reason: 'again',
      }),
    );
    expect(failure.code).toBe(status.NOT_FOUND);
    expect(failure.message).toBe('workflow execution already completed');
  });

  it('delete removes a closed run, and terminates a running one before deleting it', async () => {
    const closedId = newId('delete-closed');
    const closed = await sdk.client.workflow.start<typeof workflows.signalCollector>('signalCollector', {
      taskQueue,
      workflowId: closedId,
      args: [0],
    });
    await closed.result();
    await sdk.client.workflowService.deleteWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: closedId },
    });
    // Upstream deletes in the background: wait for the run to be gone.
    expect(await waitUntilNotFound(closed)).toBe(status.NOT_FOUND);

    const runningId = newId('delete-running');
    const running = await sdk.client.workflow.start<typeof workflows.cancellableSleeper>('cancellableSleeper', {
      taskQueue,
      workflowId: runningId,
    });
    await waitForType(runningId, EventType.EVENT_TYPE_TIMER_STARTED);
    await sdk.client.workflowService.deleteWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: runningId },
    });
    const gone = await waitUntilNotFound(running);
    expect(gone).toBe(status.NOT_FOUND);
  });
});

/** Polls Describe until the run is gone (upstream deletes in the background), within the test's timeout. */
async function waitUntilNotFound(handle: WorkflowHandle): Promise<number> {
  for (;;) {
    const failure = await sdk.client.workflowService
      .describeWorkflowExecution({ namespace: 'default', execution: { workflowId: handle.workflowId } })
      .then(
        () => undefined,
        (err: unknown) => err as { code?: number },
      );
    if (failure?.code === status.NOT_FOUND) return failure.code;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('child workflows', () => {
  it('a child runs to completion and its result reaches the parent', async () => {
    const workflowId = newId('parent');
    const result = await sdk.client.workflow.execute<typeof workflows.parentOfEcho>('parentOfEcho', {
      taskQueue,
      workflowId,
      args: ['x'],
    });
    expect(result).toBe(`child:x:${workflowId}`);
    const parentEvents = await readHistory(sdk.connection, workflowId);
    expect(types(parentEvents)).toEqual([
      ...firstTask,
      'START_CHILD_WORKFLOW_EXECUTION_INITIATED',
      'CHILD_WORKFLOW_EXECUTION_STARTED',
      ...task,
      'CHILD_WORKFLOW_EXECUTION_COMPLETED',
      ...task,
      'WORKFLOW_EXECUTION_COMPLETED',
    ]);
    const initiated = parentEvents[4]!.startChildWorkflowExecutionInitiatedEventAttributes!;
    expect(initiated.namespace).toBe('default');
    expect(initiated.parentClosePolicy).toBe(ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE);
    const childEvents = await readHistory(sdk.connection, `${workflowId}-child`);
    const started = childEvents[0]!.workflowExecutionStartedEventAttributes!;
    expect(started.parentWorkflowExecution?.workflowId).toBe(workflowId);
    expect(Number(started.parentInitiatedEventId)).toBe(5);
    expect(started.rootWorkflowExecution?.workflowId).toBe(workflowId);
    const completed = parentEvents.find(
      (e) => e.eventType === EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
    )!;
    expect(Number(completed.childWorkflowExecutionCompletedEventAttributes?.startedEventId)).toBe(6);
  });

  it('a failed child surfaces as ChildWorkflowFailure in the parent', async () => {
    const workflowId = newId('parent-failure');
    expect(
      await sdk.client.workflow.execute<typeof workflows.parentOfFailure>('parentOfFailure', { taskQueue, workflowId }),
    ).toBe('boom');
    expect(types(await readHistory(sdk.connection, workflowId))).toContain('CHILD_WORKFLOW_EXECUTION_FAILED');
  });

  it('a child that continues as new reports the final run to the parent', async () => {
    const workflowId = newId('parent-continuing');
    expect(
      await sdk.client.workflow.execute<typeof workflows.parentOfContinuing>('parentOfContinuing', {
        taskQueue,
        workflowId,
      }),
    ).toBe('round 1');
    const parentEvents = await readHistory(sdk.connection, workflowId);
    expect(types(parentEvents).filter((type) => type.startsWith('CHILD_'))).toEqual([
      'CHILD_WORKFLOW_EXECUTION_STARTED',
      'CHILD_WORKFLOW_EXECUTION_COMPLETED',
    ]);
    const firstChildRun = await readHistory(
      sdk.connection,
      `${workflowId}-child`,
      parentEvents[5]!.childWorkflowExecutionStartedEventAttributes!.workflowExecution!.runId!,
    );
    expect(types(firstChildRun).at(-1)).toBe('WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
  });

  it('a child that times out surfaces as a TimeoutFailure in the parent', async () => {
    const workflowId = newId('parent-timeout');
    expect(
      await sdk.client.workflow.execute<typeof workflows.parentOfTimeout>('parentOfTimeout', { taskQueue, workflowId }),
    ).toBe('TimeoutFailure');
    expect(types(await readHistory(sdk.connection, workflowId))).toContain('CHILD_WORKFLOW_EXECUTION_TIMED_OUT');
  });

  it('parent close policy TERMINATE terminates the child; ABANDON leaves it running', async () => {
    const terminatedParent = newId('parent-terminate');
    const childId = await sdk.client.workflow.execute<typeof workflows.parentLeavingChild>('parentLeavingChild', {
      taskQueue,
      workflowId: terminatedParent,
      args: ['TERMINATE'],
    });
    const childEvents = await waitForType(childId, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED);
    const terminated = childEvents.at(-1)!.workflowExecutionTerminatedEventAttributes!;
    expect(terminated.reason).toBe('by parent close policy');
    expect(terminated.identity).toBe('history-service');

    const canceledParent = newId('parent-cancel');
    const canceledChild = await sdk.client.workflow.execute<typeof workflows.parentLeavingChild>('parentLeavingChild', {
      taskQueue,
      workflowId: canceledParent,
      args: ['REQUEST_CANCEL'],
    });
    await waitForType(canceledChild, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED);

    const abandonedParent = newId('parent-abandon');
    const abandonedChild = await sdk.client.workflow.execute<typeof workflows.parentLeavingChild>(
      'parentLeavingChild',
      {
        taskQueue,
        workflowId: abandonedParent,
        args: ['ABANDON'],
      },
    );
    const abandoned = sdk.client.workflow.getHandle(abandonedChild);
    await waitForType(abandonedChild, EventType.EVENT_TYPE_TIMER_STARTED);
    expect(await describeStatus(abandoned)).toBe(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    await abandoned.terminate('test cleanup');
  });

  it('a child whose workflow id is running fails to start with WORKFLOW_ALREADY_EXISTS', async () => {
    const blockerId = newId('blocker');
    const blocker = await sdk.client.workflow.start<typeof workflows.cancellableSleeper>('cancellableSleeper', {
      taskQueue,
      workflowId: blockerId,
    });
    const workflowId = newId('parent-duplicate');
    expect(
      await sdk.client.workflow.execute<typeof workflows.parentOfDuplicateChild>('parentOfDuplicateChild', {
        taskQueue,
        workflowId,
        args: [blockerId],
      }),
    ).toBe('already started');
    const events = await readHistory(sdk.connection, workflowId);
    const failed = events.find((e) => e.eventType === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED)!;
    expect(failed.startChildWorkflowExecutionFailedEventAttributes?.cause).toBe(
      protos.temporal.api.enums.v1.StartChildWorkflowExecutionFailedCause
        .START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS,
    );
    await blocker.terminate('test cleanup');
  });
});

describe('external signal and cancel', () => {
  it('a workflow signals another one', async () => {
    const targetId = newId('signal-target');
    const target = await sdk.client.workflow.start<typeof workflows.signalCollector>('signalCollector', {
      taskQueue,
      workflowId: targetId,
      args: [1],
    });
    const senderId = newId('signal-sender');
    expect(
      await sdk.client.workflow.execute<typeof workflows.externalSignaler>('externalSignaler', {
        taskQueue,
        workflowId: senderId,
        args: [targetId, 'hi'],
      }),
    ).toBe('signaled');
    expect(await target.result()).toEqual(['hi']);
    expect(types(await readHistory(sdk.connection, senderId))).toEqual([
      ...firstTask,
      'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED',
      'EXTERNAL_WORKFLOW_EXECUTION_SIGNALED',
      ...task,
      'WORKFLOW_EXECUTION_COMPLETED',
    ]);
    const signaled = (await readHistory(sdk.connection, targetId)).find(
      (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
    )!;
    expect(signaled.workflowExecutionSignaledEventAttributes?.externalWorkflowExecution?.workflowId).toBe(senderId);
  });

  it('signaling a workflow that does not exist fails inside the sender', async () => {
    const senderId = newId('signal-nobody');
    const result = await sdk.client.workflow.execute<typeof workflows.externalSignaler>('externalSignaler', {
      taskQueue,
      workflowId: senderId,
      args: [newId('nobody'), 'x'],
    });
    expect(result).toMatch(/^failed: /);
    const failed = (await readHistory(sdk.connection, senderId)).find(
      (e) => e.eventType === EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED,
    )!;
    expect(failed.signalExternalWorkflowExecutionFailedEventAttributes?.cause).toBe(
      protos.temporal.api.enums.v1.SignalExternalWorkflowExecutionFailedCause
        .SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND,
    );
  });

  it('a workflow requests cancellation of another one', async () => {
    const targetId = newId('cancel-target');
    const target = await sdk.client.workflow.start<typeof workflows.cancellationHandler>('cancellationHandler', {
      taskQueue,
      workflowId: targetId,
    });
    await waitForType(targetId, EventType.EVENT_TYPE_TIMER_STARTED);
    const senderId = newId('cancel-sender');
    expect(
      await sdk.client.workflow.execute<typeof workflows.externalCanceler>('externalCanceler', {
        taskQueue,
        workflowId: senderId,
        args: [targetId],
      }),
    ).toBe('cancel requested');
    expect(await target.result()).toBe('cleaned up');
    expect(types(await readHistory(sdk.connection, senderId))).toEqual([
      ...firstTask,
      'REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED',
      'EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED',
      ...task,
      'WORKFLOW_EXECUTION_COMPLETED',
    ]);
    const requested = (await readHistory(sdk.connection, targetId)).find(
      (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
    )!;
    expect(requested.workflowExecutionCancelRequestedEventAttributes?.externalWorkflowExecution?.workflowId).toBe(
      senderId,
    );
  });
});

describe('reset', () => {
  it('resets to a workflow task: the new run fails that task with RESET_WORKFLOW and reapplies later signals', async () => {
    const workflowId = newId('reset');
    const handle = await sdk.client.workflow.start<typeof workflows.resettable>('resettable', {
      taskQueue,
      workflowId,
    });
    await waitForType(workflowId, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    await handle.signal('add', 'a');
    expect(await handle.result()).toEqual(['a']);
    const base = await readHistory(sdk.connection, workflowId);
    const firstCompleted = base.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)!;

    const { runId } = await sdk.client.workflowService.resetWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId, runId: handle.firstExecutionRunId },
      reason: 'test reset',
      workflowTaskFinishEventId: firstCompleted.eventId,
      requestId: newId('reset-request'),
    });
    expect(runId).toBeTruthy();
    const resetRun = sdk.client.workflow.getHandle(workflowId, runId!);
    expect(await resetRun.result()).toEqual(['a']);
    const events = await readHistory(sdk.connection, workflowId, runId!);
    expect(types(events).slice(0, 7)).toEqual([
      'WORKFLOW_EXECUTION_STARTED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_FAILED',
      'WORKFLOW_EXECUTION_SIGNALED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
    ]);
    const failed = events[3]!.workflowTaskFailedEventAttributes!;
    expect(failed.cause).toBe(
      protos.temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW,
    );
    expect(failed.baseRunId).toBe(handle.firstExecutionRunId);
    expect(failed.newRunId).toBe(runId);
    expect(failed.failure?.message).toBe('test reset');
    expect(types(events).at(-1)).toBe('WORKFLOW_EXECUTION_COMPLETED');
  });

  it('starts the reset run at the reset: describe and visibility show the reset time, the copied started event keeps its own', async () => {
    const workflowId = newId('reset-start-time');
    const handle = await sdk.client.workflow.start<typeof workflows.resettable>('resettable', {
      taskQueue,
      workflowId,
    });
    const baseEvents = await waitForType(workflowId, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    const baseStart = (await handle.describe()).startTime.getTime();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const resetAt = Date.now();
    const { runId } = await sdk.client.workflowService.resetWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId, runId: handle.firstExecutionRunId },
      reason: 'start time',
      workflowTaskFinishEventId: baseEvents.at(-1)!.eventId,
      requestId: newId('reset-request'),
    });
    const resetRun = sdk.client.workflow.getHandle(workflowId, runId!);
    const described = await resetRun.describe();
    // Both servers stamp the run when the reset writes it; allow for clock reads a little apart.
    expect(described.startTime.getTime()).toBeGreaterThanOrEqual(resetAt - 100);
    expect(described.startTime.getTime()).toBeGreaterThan(baseStart + 1_000);
    expect(described.executionTime?.getTime()).toBe(described.startTime.getTime());
    const [started] = await readHistory(sdk.connection, workflowId, runId!);
    expect(started!.eventTime).toEqual(baseEvents[0]!.eventTime);
    const listed = await eventually(async () => {
      for await (const run of sdk.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
        if (run.runId === runId) return run;
      }
      throw new Error('the reset run is not listed yet');
    });
    expect(listed.startTime.getTime()).toBe(described.startTime.getTime());
    await resetRun.terminate('done');
  });

  it('terminates a running current run when resetting it', async () => {
    const workflowId = newId('reset-running');
    const handle = await sdk.client.workflow.start<typeof workflows.resettable>('resettable', {
      taskQueue,
      workflowId,
    });
    const firstTaskEvents = await waitForType(workflowId, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    const { runId } = await sdk.client.workflowService.resetWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId },
      reason: 'again',
      workflowTaskFinishEventId: firstTaskEvents.at(-1)!.eventId,
      requestId: newId('reset-request'),
    });
    const old = await readHistory(sdk.connection, workflowId, handle.firstExecutionRunId);
    expect(types(old).at(-1)).toBe('WORKFLOW_EXECUTION_TERMINATED');
    expect(old.at(-1)!.workflowExecutionTerminatedEventAttributes?.identity).toBe('history-resetter');
    const resetRun = sdk.client.workflow.getHandle(workflowId, runId!);
    await resetRun.signal('add', 'b');
    expect(await resetRun.result()).toEqual(['b']);
  });

  it("resetting a running child replaces its run without ending the parent's wait", async () => {
    const workflowId = newId('reset-child-parent');
    const parent = await sdk.client.workflow.start<typeof workflows.parentOfResettable>('parentOfResettable', {
      taskQueue,
      workflowId,
    });
    const childId = `${workflowId}-child`;
    await waitForType(workflowId, EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED);
    const childTask = await waitForType(childId, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    const { runId } = await sdk.client.workflowService.resetWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: childId },
      reason: 'reset the child',
      workflowTaskFinishEventId: childTask.at(-1)!.eventId,
      requestId: newId('reset-request'),
    });
    await sdk.client.workflow.getHandle(childId, runId!).signal('add', 'after reset');
    expect(await parent.result()).toEqual(['after reset']);
    const childEvents = types(await readHistory(sdk.connection, workflowId)).filter((type) =>
      type.startsWith('CHILD_'),
    );
    expect(childEvents).toEqual(['CHILD_WORKFLOW_EXECUTION_STARTED', 'CHILD_WORKFLOW_EXECUTION_COMPLETED']);
  });

  it('rejects a reset point outside the history with INVALID_ARGUMENT', async () => {
    const workflowId = newId('reset-bad');
    const handle = await sdk.client.workflow.start<typeof workflows.signalCollector>('signalCollector', {
      taskQueue,
      workflowId,
      args: [0],
    });
    await handle.result();
    const failure = await grpcFailure(
      sdk.client.workflowService.resetWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId },
        reason: 'bad',
        workflowTaskFinishEventId: Long.fromNumber(999),
        requestId: newId('reset-request'),
      }),
    );
    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.message).toBe('Workflow task finish ID must be > 1 && <= workflow last event ID.');
  });
});

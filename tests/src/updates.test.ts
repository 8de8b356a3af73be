// Workflow updates through the official TypeScript SDK: execute, start-then-result, validator rejections, update-id
// dedupe, closed runs, and update-with-start. Expected histories are those of the official Go server (run this file
// with TEMPORA_TEST_ORACLE=host:port to check).
import { expect, it } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import {
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
} from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import protos from '@temporalio/proto';
import Long from 'long';
import { grpcFailure, uniqueName } from './helpers.js';
import { eventTypeName, readHistory, startRawWorkflow, useSdkTarget } from './sdk-support.js';
import {
  addUpdate,
  counterWorkflow,
  delayedAddUpdate,
  finishUpdate,
  quickWorkflow,
  slowAddUpdate,
} from './workflows/queries-updates.js';

const taskQueue = uniqueName('updates');
const sdk = useSdkTarget({ taskQueue, workflows: 'queries-updates' });

const FIRST_TASK = [
  'WORKFLOW_EXECUTION_STARTED',
  'WORKFLOW_TASK_SCHEDULED',
  'WORKFLOW_TASK_STARTED',
  'WORKFLOW_TASK_COMPLETED',
];
const TASK = ['WORKFLOW_TASK_SCHEDULED', 'WORKFLOW_TASK_STARTED', 'WORKFLOW_TASK_COMPLETED'];

async function eventTypes(workflowId: string, runId?: string): Promise<string[]> {
  return (await readHistory(sdk.connection, workflowId, runId)).map(eventTypeName);
}

/** A counter whose first workflow task completed, so an update gets a workflow task of its own. */
async function idleCounter(start = 0) {
  const handle = await sdk.client.workflow.start(counterWorkflow, {
    taskQueue,
    workflowId: uniqueName('counter'),
    args: [start],
  });
  while (!(await eventTypes(handle.workflowId)).includes('WORKFLOW_TASK_COMPLETED')) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return handle;
}

it('holds a poll for a completion until the caller deadline, which it then exceeds; result() still gets the outcome', async () => {
  const handle = await idleCounter(1);
  const update = await handle.startUpdate(delayedAddUpdate, {
    args: [2, 4_000],
    waitForStage: WorkflowUpdateStage.ACCEPTED,
  });
  // Upstream waits for the stage until its soft timeout (20 s) or the caller's context, whichever ends first; at the
  // caller's deadline the call fails DEADLINE_EXCEEDED (an empty answer before it would make SDKs poll again at once).
  const started = Date.now();
  const poll = await grpcFailure(
    sdk.connection.withDeadline(started + 2_000, () =>
      sdk.connection.workflowService.pollWorkflowExecutionUpdate({
        namespace: 'default',
        updateRef: { workflowExecution: { workflowId: handle.workflowId }, updateId: update.updateId },
        waitPolicy: {
          lifecycleStage:
            protos.temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage
              .UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED,
        },
        identity: 'test',
      }),
    ),
  );
  expect(poll.code).toBe(status.DEADLINE_EXCEEDED);
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
  expect(await update.result()).toBe(3);
});

it('executes an update in a workflow task of its own: accepted and completed events', async () => {
  const handle = await idleCounter(1);
  expect(await handle.executeUpdate(addUpdate, { args: [2] })).toBe(3);
  expect(await eventTypes(handle.workflowId)).toEqual([
    ...FIRST_TASK,
    ...TASK,
    'WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
    'WORKFLOW_EXECUTION_UPDATE_COMPLETED',
  ]);
  const events = await readHistory(sdk.connection, handle.workflowId);
  const accepted = events[7]!.workflowExecutionUpdateAcceptedEventAttributes!;
  expect(accepted.acceptedRequest?.input?.name).toBe('add');
  expect(accepted.acceptedRequestMessageId).toBe(`${accepted.protocolInstanceId}/request`);
  expect(Number(events[8]!.workflowExecutionUpdateCompletedEventAttributes!.acceptedEventId)).toBe(
    Number(events[7]!.eventId),
  );
  expect(await handle.executeUpdate(finishUpdate)).toBe('finishing');
  expect(await handle.result()).toBe(3);
});

it('returns at ACCEPTED with startUpdate and delivers the result later', async () => {
  const handle = await idleCounter(10);
  const update = await handle.startUpdate(slowAddUpdate, { args: [5], waitForStage: WorkflowUpdateStage.ACCEPTED });
  expect(await update.result()).toBe(15);
  expect(await eventTypes(handle.workflowId)).toEqual([
    ...FIRST_TASK,
    ...TASK,
    'WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
    'TIMER_STARTED',
    'TIMER_FIRED',
    ...TASK,
    'WORKFLOW_EXECUTION_UPDATE_COMPLETED',
  ]);
  await handle.executeUpdate(finishUpdate);
});

it('rejects an update in its validator without changing the history', async () => {
  const handle = await idleCounter();
  const before = await eventTypes(handle.workflowId);
  const err = await handle.executeUpdate(addUpdate, { args: [-1] }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(String((err as WorkflowUpdateFailedError).cause?.message)).toContain('negative amounts are rejected');
  expect(await eventTypes(handle.workflowId)).toEqual(before);
  expect(before).toEqual(FIRST_TASK);
  // The run goes on: the next update gets the same workflow task ids the rejected one used.
  expect(await handle.executeUpdate(addUpdate, { args: [4] })).toBe(4);
  expect(await eventTypes(handle.workflowId)).toEqual([
    ...FIRST_TASK,
    ...TASK,
    'WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
    'WORKFLOW_EXECUTION_UPDATE_COMPLETED',
  ]);
  await handle.executeUpdate(finishUpdate);
});

it('deduplicates an update by its id', async () => {
  const handle = await idleCounter(100);
  const updateId = uniqueName('update');
  expect(await handle.executeUpdate(addUpdate, { args: [1], updateId })).toBe(101);
  expect(await handle.executeUpdate(addUpdate, { args: [1], updateId })).toBe(101);
  expect(await handle.getUpdateHandle<number>(updateId).result()).toBe(101);
  const accepted = (await eventTypes(handle.workflowId)).filter(
    (type) => type === 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
  );
  expect(accepted).toHaveLength(1);
  await handle.executeUpdate(finishUpdate);
  // A completed update's outcome is returned even after the run closed.
  await handle.result();
  expect(await handle.executeUpdate(addUpdate, { args: [1], updateId })).toBe(101);
});

it('fails an update on a completed workflow with NOT_FOUND', async () => {
  const handle = await sdk.client.workflow.start(quickWorkflow, {
    taskQueue,
    workflowId: uniqueName('quick'),
    args: [1],
  });
  await handle.result();
  const err = await handle.executeUpdate(addUpdate, { args: [1] }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowNotFoundError);
  expect((err as Error).message).toBe('workflow execution already completed');
});

it('fails PollWorkflowExecutionUpdate for an unknown update id with NOT_FOUND', async () => {
  const handle = await idleCounter();
  const failure = await grpcFailure(
    sdk.connection.workflowService.pollWorkflowExecutionUpdate({
      namespace: 'default',
      updateRef: { workflowExecution: { workflowId: handle.workflowId }, updateId: 'no-such-update' },
      waitPolicy: {
        lifecycleStage:
          protos.temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage
            .UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED,
      },
    }),
  );
  expect(failure).toMatchObject({ code: status.NOT_FOUND, message: 'update "no-such-update" not found' });
  await handle.executeUpdate(finishUpdate);
});

it('rejects an update request without a name', async () => {
  const handle = await idleCounter();
  const failure = await grpcFailure(
    sdk.connection.workflowService.updateWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: handle.workflowId },
      request: { meta: { updateId: 'u1' }, input: {} },
    }),
  );
  expect(failure).toMatchObject({ code: status.INVALID_ARGUMENT, message: 'Update name is not set on request.' });
  await handle.executeUpdate(finishUpdate);
});

it('update-with-start starts the workflow and carries the update in its first workflow task', async () => {
  const workflowId = uniqueName('uws');
  const startWorkflowOperation = new WithStartWorkflowOperation(counterWorkflow, {
    workflowId,
    taskQueue,
    args: [1],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  expect(await sdk.client.workflow.executeUpdateWithStart(addUpdate, { args: [2], startWorkflowOperation })).toBe(3);
  const handle = await startWorkflowOperation.workflowHandle();
  expect(await eventTypes(workflowId)).toEqual([
    ...FIRST_TASK,
    'WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
    'WORKFLOW_EXECUTION_UPDATE_COMPLETED',
  ]);

  // The workflow exists now: USE_EXISTING applies the update to the running workflow.
  const again = new WithStartWorkflowOperation(counterWorkflow, {
    workflowId,
    taskQueue,
    args: [1],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  const update = await sdk.client.workflow.startUpdateWithStart(slowAddUpdate, {
    args: [10],
    startWorkflowOperation: again,
    waitForStage: WorkflowUpdateStage.ACCEPTED,
  });
  expect((await again.workflowHandle()).workflowId).toBe(workflowId);
  expect(await update.result()).toBe(13);
  await handle.executeUpdate(finishUpdate);
  expect(await handle.result()).toBe(13);
});

it('update-with-start fails with the start error when the workflow is running and the conflict policy is FAIL', async () => {
  const handle = await idleCounter();
  const startWorkflowOperation = new WithStartWorkflowOperation(counterWorkflow, {
    workflowId: handle.workflowId,
    taskQueue,
    args: [1],
    workflowIdConflictPolicy: 'FAIL',
  });
  const err = await sdk.client.workflow
    .executeUpdateWithStart(addUpdate, { args: [2], startWorkflowOperation })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
  await expect(startWorkflowOperation.workflowHandle()).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
  expect(await eventTypes(handle.workflowId)).toEqual(FIRST_TASK);
  // On the wire: the call fails with the start's code; the statuses hold the start's error and the aborted update.
  const raw = (await sdk.connection.workflowService
    .executeMultiOperation({
      namespace: 'default',
      operations: [
        {
          startWorkflow: {
            namespace: 'default',
            workflowId: handle.workflowId,
            workflowType: { name: 'counterWorkflow' },
            taskQueue: { name: taskQueue },
            requestId: uniqueName('req'),
            workflowIdConflictPolicy:
              protos.temporal.api.enums.v1.WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
          },
        },
        {
          updateWorkflow: {
            namespace: 'default',
            workflowExecution: { workflowId: handle.workflowId },
            request: { meta: { updateId: uniqueName('u') }, input: { name: 'add' } },
          },
        },
      ],
    })
    .catch((e: unknown) => e)) as { code: number; metadata: { get(key: string): unknown[] } };
  expect(raw.code).toBe(status.ALREADY_EXISTS);
  const statusProto = protos.google.rpc.Status.decode(raw.metadata.get('grpc-status-details-bin')[0] as Buffer);
  const detail = protos.temporal.api.errordetails.v1.MultiOperationExecutionFailure.decode(
    statusProto.details[0]!.value!,
  );
  expect(detail.statuses.map((s) => [s.code, s.details?.[0]?.type_url])).toEqual([
    [status.ALREADY_EXISTS, 'type.googleapis.com/temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure'],
    [status.ABORTED, 'type.googleapis.com/temporal.api.failure.v1.MultiOperationExecutionAborted'],
  ]);
  await handle.executeUpdate(finishUpdate);
});

it('ExecuteMultiOperation reports a bad operation in its slot and aborts the other', async () => {
  const raw = await sdk.connection.workflowService
    .executeMultiOperation({
      namespace: 'default',
      operations: [
        {
          startWorkflow: {
            namespace: 'default',
            workflowId: 'w',
            workflowType: { name: 'counterWorkflow' },
            taskQueue: { name: taskQueue },
            requestId: 'r',
          },
        },
        {
          updateWorkflow: {
            namespace: 'default',
            workflowExecution: { workflowId: 'w' },
            request: { meta: { updateId: 'u' }, input: {} },
          },
        },
      ],
    })
    .catch((e: { code: number; metadata: { get(key: string): unknown[] } }) => e);
  const e = raw as { code: number; details: string; metadata: { get(key: string): unknown[] } };
  expect(e.code).toBe(status.INVALID_ARGUMENT);
  expect(e.details).toBe('Update-with-Start could not be executed.');
  const statusProto = protos.google.rpc.Status.decode(e.metadata.get('grpc-status-details-bin')[0] as Buffer);
  const detail = protos.temporal.api.errordetails.v1.MultiOperationExecutionFailure.decode(
    statusProto.details[0]!.value!,
  );
  expect(detail.statuses.map((s) => [s.code, s.message])).toEqual([
    [status.ABORTED, 'Operation was aborted.'],
    [status.INVALID_ARGUMENT, 'Update name is not set on request.'],
  ]);
});

it('fails a workflow task whose protocol message has an unknown body or whose command names no message', async () => {
  const svc = sdk.connection.workflowService;
  const { CommandType, WorkflowTaskFailedCause } = protos.temporal.api.enums.v1;
  const { workflowId, poll } = await startRawWorkflow(sdk.connection, 'updates-raw');

  const first = await poll();
  const unknownBody = await grpcFailure(
    svc.respondWorkflowTaskCompleted({
      namespace: 'default',
      taskToken: first.taskToken,
      identity: 'raw',
      messages: [
        {
          id: 'm1',
          protocolInstanceId: 'u1',
          body: { type_url: 'type.googleapis.com/temporal.api.common.v1.Payload', value: Buffer.alloc(0) },
        },
      ],
    }),
  );
  expect(unknownBody.code).toBe(status.INVALID_ARGUMENT);

  const second = await poll();
  const danglingCommand = await grpcFailure(
    svc.respondWorkflowTaskCompleted({
      namespace: 'default',
      taskToken: second.taskToken,
      identity: 'raw',
      commands: [
        {
          commandType: CommandType.COMMAND_TYPE_PROTOCOL_MESSAGE,
          protocolMessageCommandAttributes: { messageId: 'nope' },
        },
      ],
    }),
  );
  expect(danglingCommand.code).toBe(status.INVALID_ARGUMENT);

  const failed = (await readHistory(sdk.connection, workflowId)).filter(
    (e) => eventTypeName(e) === 'WORKFLOW_TASK_FAILED',
  );
  // The retry's failure repeats the first one, so only the first is written.
  expect(failed.map((e) => e.workflowTaskFailedEventAttributes?.cause)).toEqual([
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE,
  ]);
});

it('aborts an update admitted while the workflow task that completes the workflow was running', async () => {
  const svc = sdk.connection.workflowService;
  const { CommandType, UpdateWorkflowExecutionLifecycleStage } = protos.temporal.api.enums.v1;
  const { workflowId, poll } = await startRawWorkflow(sdk.connection, 'updates-closing');
  const task = await poll();
  const update = grpcFailure(
    sdk.connection.withDeadline(Date.now() + 30_000, () =>
      svc.updateWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId },
        request: { meta: { updateId: 'late' }, input: { name: 'add' } },
        waitPolicy: {
          lifecycleStage: UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED,
        },
      }),
    ),
  );
  // Nothing observable marks the update as admitted; give the call time to reach history before the task completes.
  await new Promise((resolve) => setTimeout(resolve, 200));
  await svc.respondWorkflowTaskCompleted({
    namespace: 'default',
    taskToken: task.taskToken,
    identity: 'raw',
    commands: [
      {
        commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
        completeWorkflowExecutionCommandAttributes: {},
      },
    ],
  });
  expect(await update).toMatchObject({
    code: status.NOT_FOUND,
    message: 'workflow update was aborted by closing workflow',
  });
  expect(await eventTypes(workflowId)).toEqual([...FIRST_TASK, 'WORKFLOW_EXECUTION_COMPLETED']);
});

it('speaks the update protocol: request message, acceptance and response in command order (raw worker)', async () => {
  const svc = sdk.connection.workflowService;
  const { CommandType, UpdateWorkflowExecutionLifecycleStage } = protos.temporal.api.enums.v1;
  const { Acceptance, Response, Request } = protos.temporal.api.update.v1;
  const { workflowId, poll } = await startRawWorkflow(sdk.connection, 'updates-protocol');
  const first = await poll();
  const update = sdk.connection.withDeadline(Date.now() + 30_000, () =>
    svc.updateWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId },
      request: { meta: { updateId: 'u1', identity: 'client' }, input: { name: 'add' } },
      waitPolicy: {
        lifecycleStage: UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED,
      },
    }),
  );
  // Nothing observable marks the update as admitted; give the call time to reach history before the task completes.
  await new Promise((resolve) => setTimeout(resolve, 200));
  // The running task knew nothing of the update: a task for it follows this one (an ordinary one, since this worker
  // does not ask for the next task inline).
  await svc.respondWorkflowTaskCompleted({ namespace: 'default', taskToken: first.taskToken, identity: 'raw' });
  const second = await poll();
  expect(second.messages).toHaveLength(1);
  const message = second.messages![0]!;
  expect(message.id).toBe('u1/request');
  expect(message.protocolInstanceId).toBe('u1');
  expect(Number(message.eventId)).toBe(Number(second.startedEventId) - 1);
  const request = Request.decode(message.body!.value!);
  expect(request.input?.name).toBe('add');
  const any = (typeName: string, value: Uint8Array) => ({ type_url: `type.googleapis.com/${typeName}`, value });
  const acceptance = Acceptance.encode({
    acceptedRequestMessageId: message.id,
    acceptedRequestSequencingEventId: message.eventId,
    acceptedRequest: request,
  }).finish();
  const payload = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('7') };
  const response = Response.encode({
    meta: { updateId: 'u1', identity: 'raw' },
    outcome: { success: { payloads: [payload] } },
  }).finish();
  await svc.respondWorkflowTaskCompleted({
    namespace: 'default',
    taskToken: second.taskToken,
    identity: 'raw',
    messages: [
      { id: 'u1/accept', protocolInstanceId: 'u1', body: any('temporal.api.update.v1.Acceptance', acceptance) },
      { id: 'u1/complete', protocolInstanceId: 'u1', body: any('temporal.api.update.v1.Response', response) },
    ],
    commands: [
      {
        commandType: CommandType.COMMAND_TYPE_PROTOCOL_MESSAGE,
        protocolMessageCommandAttributes: { messageId: 'u1/accept' },
      },
      {
        commandType: CommandType.COMMAND_TYPE_START_TIMER,
        startTimerCommandAttributes: { timerId: 't1', startToFireTimeout: { seconds: Long.fromNumber(3600) } },
      },
      {
        commandType: CommandType.COMMAND_TYPE_PROTOCOL_MESSAGE,
        protocolMessageCommandAttributes: { messageId: 'u1/complete' },
      },
    ],
  });
  const result = await update;
  expect(result.stage).toBe(UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED);
  expect(Buffer.from(result.outcome!.success!.payloads![0]!.data!).toString()).toBe('7');
  const events = await readHistory(sdk.connection, workflowId);
  expect(events.map(eventTypeName)).toEqual([
    ...FIRST_TASK,
    ...TASK,
    'WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
    'TIMER_STARTED',
    'WORKFLOW_EXECUTION_UPDATE_COMPLETED',
  ]);
  const accepted = events[7]!.workflowExecutionUpdateAcceptedEventAttributes!;
  expect(accepted.protocolInstanceId).toBe('u1');
  expect(accepted.acceptedRequestMessageId).toBe('u1/request');
  expect(Number(accepted.acceptedRequestSequencingEventId)).toBe(Number(message.eventId));
  const completed = events[9]!.workflowExecutionUpdateCompletedEventAttributes!;
  expect(completed.meta?.updateId).toBe('u1');
  expect(Number(completed.acceptedEventId)).toBe(8);
});

it('ends updates of a terminated run: an accepted one fails, an admitted one is aborted', async () => {
  const handle = await idleCounter();
  const accepted = await handle.startUpdate(slowAddUpdate, { args: [1], waitForStage: WorkflowUpdateStage.ACCEPTED });
  await handle.terminate('stop');
  const failure = await accepted.result().catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((failure as WorkflowUpdateFailedError).cause?.message).toBe(
    'Workflow Update failed because the Workflow completed before the Update completed.',
  );

  // No worker polls this queue: the update stays admitted until the run is terminated.
  const unpolled = await sdk.client.workflow.start(counterWorkflow, {
    taskQueue: uniqueName('updates-unpolled'),
    workflowId: uniqueName('counter'),
    args: [0],
  });
  const admitted = unpolled.executeUpdate(addUpdate, { args: [1] }).catch((e: unknown) => e);
  for (;;) {
    if ((await unpolled.describe()).raw.pendingWorkflowTask) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The first workflow task is pending (not speculative): the update waits for it. Give the call time to be admitted.
  await new Promise((resolve) => setTimeout(resolve, 200));
  await unpolled.terminate('stop');
  const aborted = await admitted;
  expect(aborted).toBeInstanceOf(WorkflowNotFoundError);
  expect((aborted as Error).message).toBe('workflow update was aborted by closing workflow');
});

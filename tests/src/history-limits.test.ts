// History size and event count limits (upstream's limit.historySize.* / limit.historyCount.*), with the official SDK's
// connection: a run whose persisted history is over an error limit is terminated by history-service on its next
// change, that change's caller gets INVALID_ARGUMENT with upstream's reason, and the workflow task started event
// suggests continue-as-new past the suggestion thresholds. The histories are the ones upstream's size-limit tests
// expect (tests/sizelimit_test.go, same limits).
import { describe, expect, it } from '@jest/globals';
import { status as Code } from '@grpc/grpc-js';
import protos from '@temporalio/proto';
import { grpcFailure, uniqueName, useTestServer } from './helpers.js';
import { eventTypeName, readHistory, startRawWorkflow } from './sdk-support.js';

const { temporal } = protos;
const test = useTestServer({
  configure: (config) => {
    config.limits.historyCount = { suggestContinueAsNew: 5, warn: 10, error: 20 };
    config.limits.historySize = { suggestContinueAsNew: 4000, warn: 5000, error: 9000 };
  },
});

async function startUnpolled(prefix: string): Promise<string> {
  const workflowId = uniqueName(prefix);
  await test.connection.workflowService.startWorkflowExecution({
    namespace: 'default',
    workflowId,
    workflowType: { name: 'limited' },
    taskQueue: { name: uniqueName('nobody') },
    requestId: uniqueName('req'),
  });
  return workflowId;
}

/** Signals until one is refused; the refusal and the number accepted before it. */
async function signalUntilRefused(workflowId: string, payloadBytes: number) {
  const signal = () =>
    test.connection.workflowService.signalWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId },
      signalName: 'grow',
      input: { payloads: [{ metadata: { encoding: Buffer.from('binary/plain') }, data: Buffer.alloc(payloadBytes) }] },
      requestId: uniqueName('sig'),
    });
  for (let accepted = 0; accepted < 100; accepted++) {
    const outcome = await signal().then(
      () => undefined,
      (err: unknown) => grpcFailure(Promise.reject(err as Error)),
    );
    if (outcome) return { accepted, failure: outcome };
  }
  throw new Error('no signal was refused');
}

describe('history limits', () => {
  it('terminates a run over the event count limit on its next change and refuses that change', async () => {
    const workflowId = await startUnpolled('count');
    const { accepted, failure } = await signalUntilRefused(workflowId, 1);
    expect(failure.code).toBe(Code.INVALID_ARGUMENT);
    expect(failure.message).toBe('Workflow history count exceeds limit.');
    // Started + scheduled + 19 signals = 21 events (> 20): the 20th signal finds the run over the limit.
    expect(accepted).toBe(19);
    const events = await readHistory(test.connection, workflowId);
    expect(events.map(eventTypeName)).toEqual([
      'WORKFLOW_EXECUTION_STARTED',
      'WORKFLOW_TASK_SCHEDULED',
      ...Array<string>(19).fill('WORKFLOW_EXECUTION_SIGNALED'),
      'WORKFLOW_EXECUTION_TERMINATED',
    ]);
    expect(events.at(-1)?.workflowExecutionTerminatedEventAttributes).toMatchObject({
      reason: 'Workflow history count exceeds limit.',
      identity: 'history-service',
    });
    const described = await test.connection.workflowService.describeWorkflowExecution({
      namespace: 'default',
      execution: { workflowId },
    });
    expect(described.workflowExecutionInfo?.status).toBe(
      temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED,
    );
    // Closed now: a further signal is refused as on any closed run.
    const after = await grpcFailure(
      test.connection.workflowService.signalWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId },
        signalName: 'grow',
      }),
    );
    expect(after.code).toBe(Code.NOT_FOUND);
  });

  it('terminates a run over the history size limit', async () => {
    const workflowId = await startUnpolled('size');
    const { accepted, failure } = await signalUntilRefused(workflowId, 900);
    expect(failure.code).toBe(Code.INVALID_ARGUMENT);
    expect(failure.message).toBe('Workflow history size exceeds limit.');
    const events = await readHistory(test.connection, workflowId);
    // A signal event with 900 bytes of input is about 930 bytes here, so 10 fit under 9000 bytes; upstream, which counts
    // the encoded batches, takes 9 with the same limits.
    expect(accepted).toBe(10);
    expect(events.map(eventTypeName)).toEqual([
      'WORKFLOW_EXECUTION_STARTED',
      'WORKFLOW_TASK_SCHEDULED',
      ...Array<string>(10).fill('WORKFLOW_EXECUTION_SIGNALED'),
      'WORKFLOW_EXECUTION_TERMINATED',
    ]);
    expect(events.at(-1)?.workflowExecutionTerminatedEventAttributes?.reason).toBe(
      'Workflow history size exceeds limit.',
    );
  });

  it('accepts the change that crosses the limit, then fails the started task and terminates on the next', async () => {
    const { workflowId, poll } = await startRawWorkflow(test.connection, 'limit-task');
    const first = await poll();
    // 3 events so far; 15 signals buffer behind the started task (buffered events are not history yet).
    for (let i = 0; i < 15; i++)
      await test.connection.workflowService.signalWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId },
        signalName: 'grow',
      });
    // Completing writes WorkflowTaskCompleted, the 15 signals and a new WorkflowTaskScheduled: 20 events, at the limit;
    // starting the next task takes it to 21, over it, and is accepted (the check is on the history before a change,
    // as upstream's).
    await test.connection.workflowService.respondWorkflowTaskCompleted({
      namespace: 'default',
      taskToken: first.taskToken,
      commands: [],
    });
    const second = await poll();
    const refused = await grpcFailure(
      test.connection.workflowService.signalWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId },
        signalName: 'grow',
      }),
    );
    expect(refused.message).toBe('Workflow history count exceeds limit.');
    const types = (await readHistory(test.connection, workflowId)).map(eventTypeName);
    expect(types.slice(-4)).toEqual([
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_FAILED',
      'WORKFLOW_EXECUTION_TERMINATED',
    ]);
    expect(types.filter((t) => t === 'WORKFLOW_EXECUTION_SIGNALED')).toHaveLength(15);
    // The worker holding the task learns it is gone.
    const late = await grpcFailure(
      test.connection.workflowService.respondWorkflowTaskCompleted({
        namespace: 'default',
        taskToken: second.taskToken,
        commands: [],
      }),
    );
    expect(late.code).toBe(Code.NOT_FOUND);
  });

  it('suggests continue-as-new in the started event past the suggestion thresholds, with the reasons', async () => {
    const { workflowId, poll } = await startRawWorkflow(test.connection, 'suggest');
    const first = await poll();
    const startedOf = (history: typeof first.history) =>
      history?.events?.find((e) => e.workflowTaskStartedEventAttributes)?.workflowTaskStartedEventAttributes;
    // 3 events (< 5): no suggestion.
    expect(startedOf(first.history)?.suggestContinueAsNew).toBe(false);
    for (let i = 0; i < 3; i++)
      await test.connection.workflowService.signalWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId },
        signalName: 'grow',
      });
    await test.connection.workflowService.respondWorkflowTaskCompleted({
      namespace: 'default',
      taskToken: first.taskToken,
      commands: [],
    });
    await test.connection.workflowService.signalWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId },
      signalName: 'grow',
    });
    const second = await poll();
    const started = second.history?.events
      ?.filter((e) => e.workflowTaskStartedEventAttributes)
      .at(-1)?.workflowTaskStartedEventAttributes;
    expect(started?.suggestContinueAsNew).toBe(true);
    expect(started?.suggestContinueAsNewReasons).toEqual([
      temporal.api.enums.v1.SuggestContinueAsNewReason.SUGGEST_CONTINUE_AS_NEW_REASON_TOO_MANY_HISTORY_EVENTS,
    ]);
  });
});

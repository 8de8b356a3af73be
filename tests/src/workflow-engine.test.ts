// The workflow engine through the official TypeScript SDK: client starts, SDK worker runs, histories checked.
import { describe, expect, it } from '@jest/globals';
import { WorkflowFailedError } from '@temporalio/client';
import * as activities from './activities.js';
import { uniqueName } from './helpers.js';
import { eventTypeName, useSdkTarget } from './sdk-support.js';
import type * as workflows from './workflows/index.js';

const taskQueue = uniqueName('engine');
const sdk = useSdkTarget({ taskQueue, workflows: 'index', activities });

async function eventTypes(workflowId: string): Promise<string[]> {
  const history = await sdk.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).map(eventTypeName);
}

describe('workflow engine', () => {
  it('runs a workflow with an activity and records upstream event order', async () => {
    const workflowId = uniqueName('hello');
    const result = await sdk.client.workflow.execute<typeof workflows.helloWorkflow>('helloWorkflow', {
      taskQueue,
      workflowId,
      args: ['Tempora'],
    });
    expect(result).toBe('Hello, Tempora!');
    expect(await eventTypes(workflowId)).toEqual([
      'WORKFLOW_EXECUTION_STARTED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_COMPLETED',
      'ACTIVITY_TASK_SCHEDULED',
      'ACTIVITY_TASK_STARTED',
      'ACTIVITY_TASK_COMPLETED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_COMPLETED',
      'WORKFLOW_EXECUTION_COMPLETED',
    ]);
  });

  it('fires a timer', async () => {
    const workflowId = uniqueName('timer');
    expect(await sdk.client.workflow.execute('timerWorkflow', { taskQueue, workflowId, args: [300] })).toBe('woke up');
    const types = await eventTypes(workflowId);
    expect(types).toContain('TIMER_STARTED');
    expect(types).toContain('TIMER_FIRED');
    expect(types.at(-1)).toBe('WORKFLOW_EXECUTION_COMPLETED');
  });

  it('retries a failing activity without writing the failed attempts', async () => {
    const workflowId = uniqueName('retry');
    expect(await sdk.client.workflow.execute('retryingActivityWorkflow', { taskQueue, workflowId, args: [2] })).toBe(3);
    const types = await eventTypes(workflowId);
    expect(types.filter((t) => t.startsWith('ACTIVITY_TASK'))).toEqual([
      'ACTIVITY_TASK_SCHEDULED',
      'ACTIVITY_TASK_STARTED',
      'ACTIVITY_TASK_COMPLETED',
    ]);
    const history = await sdk.client.workflow.getHandle(workflowId).fetchHistory();
    const started = history.events!.find((e) => e.activityTaskStartedEventAttributes)!;
    expect(started.activityTaskStartedEventAttributes!.attempt).toBe(3);
    expect(started.activityTaskStartedEventAttributes!.lastFailure?.message).toBe('attempt 2 fails');
  });

  it('fails the activity after its maximum attempts and the workflow with it', async () => {
    const workflowId = uniqueName('exhaust');
    const err = await sdk.client.workflow
      .execute<typeof workflows.failingActivityWorkflow>('failingActivityWorkflow', { taskQueue, workflowId })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const types = await eventTypes(workflowId);
    expect(types).toContain('ACTIVITY_TASK_FAILED');
    expect(types.at(-1)).toBe('WORKFLOW_EXECUTION_FAILED');
  });

  it('fails a workflow that throws', async () => {
    const workflowId = uniqueName('fail');
    const err = (await sdk.client.workflow
      .execute('failingWorkflow', { taskQueue, workflowId, args: ['boom'] })
      .catch((e: unknown) => e)) as WorkflowFailedError;
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(err.cause?.message).toBe('boom');
    const description = await sdk.client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('FAILED');
  });
});

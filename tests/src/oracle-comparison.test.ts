// Runs the same message and lifecycle scenarios on Tempora and on the official dev server (`temporal server
// start-dev`, started here) and compares the event-type sequences of every history they produce.
import { describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import protos, { type temporal } from '@temporalio/proto';
import { freePort, uniqueName } from './helpers.js';
import {
  eventTypeName,
  readHistory,
  useSdkTarget,
  waitForEvent,
  type SdkTarget,
  type TestTarget,
} from './sdk-support.js';
import type * as workflows from './workflows/messages.js';

const { EventType } = protos.temporal.api.enums.v1;
const ORACLE_READY_TIMEOUT_MS = 60_000;

/** The event types of each history a scenario produced, by label. */
type Histories = Record<string, string[]>;
type Scenario = (s: SdkTarget, taskQueue: string) => Promise<Histories>;

async function history(s: SdkTarget, workflowId: string, runId?: string): Promise<string[]> {
  return (await readHistory(s.connection, workflowId, runId)).map(eventTypeName);
}

function waitForType(s: SdkTarget, workflowId: string, type: temporal.api.enums.v1.EventType, runId?: string) {
  return waitForEvent(s.connection, workflowId, runId, (e) => e.eventType === type);
}

const scenarios: Record<string, Scenario> = {
  async signals(s, taskQueue) {
    const workflowId = uniqueName('cmp-signals');
    const handle = await s.client.workflow.start<typeof workflows.signalCollector>('signalCollector', {
      taskQueue,
      workflowId,
      args: [2],
    });
    await waitForType(s, workflowId, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    await handle.signal('add', 'a');
    let completions = 0;
    // The task that saw the first signal completes before the second is sent, so both servers see the same order.
    await waitForEvent(
      s.connection,
      workflowId,
      undefined,
      (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED && ++completions === 2,
    );
    await handle.signal('add', 'b');
    await handle.result();
    return { workflow: await history(s, workflowId) };
  },
  async signalWithStart(s, taskQueue) {
    const workflowId = uniqueName('cmp-sws');
    const handle = await s.client.workflow.signalWithStart('signalCollector', {
      taskQueue,
      workflowId,
      args: [1],
      signal: 'add',
      signalArgs: ['x'],
    });
    await handle.result();
    return { workflow: await history(s, workflowId) };
  },
  async cancel(s, taskQueue) {
    const workflowId = uniqueName('cmp-cancel');
    const handle = await s.client.workflow.start('cancellableSleeper', { taskQueue, workflowId });
    await waitForType(s, workflowId, EventType.EVENT_TYPE_TIMER_STARTED);
    await handle.cancel();
    await handle.result().catch(() => undefined);
    return { workflow: await history(s, workflowId) };
  },
  async terminate(s, taskQueue) {
    const workflowId = uniqueName('cmp-terminate');
    const handle = await s.client.workflow.start('cancellableSleeper', { taskQueue, workflowId });
    await waitForType(s, workflowId, EventType.EVENT_TYPE_TIMER_STARTED);
    await handle.terminate('done');
    return { workflow: await history(s, workflowId) };
  },
  async childWorkflows(s, taskQueue) {
    const echo = uniqueName('cmp-child');
    await s.client.workflow.execute('parentOfEcho', { taskQueue, workflowId: echo, args: ['v'] });
    const failing = uniqueName('cmp-child-fail');
    await s.client.workflow.execute('parentOfFailure', { taskQueue, workflowId: failing });
    const leaving = uniqueName('cmp-child-terminate');
    const parent = await s.client.workflow.start<typeof workflows.parentLeavingChild>('parentLeavingChild', {
      taskQueue,
      workflowId: leaving,
      args: ['TERMINATE', true],
    });
    const childId = `${leaving}-child`;
    await waitForType(s, leaving, EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED);
    await waitForType(s, childId, EventType.EVENT_TYPE_TIMER_STARTED);
    await parent.signal('finish');
    await parent.result();
    await waitForType(s, childId, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED);
    return {
      parent: await history(s, echo),
      child: await history(s, `${echo}-child`),
      failingParent: await history(s, failing),
      failingChild: await history(s, `${failing}-child`),
      leavingParent: await history(s, leaving),
      terminatedByPolicy: await history(s, childId),
    };
  },
  async externalSignalAndCancel(s, taskQueue) {
    const target = uniqueName('cmp-ext-target');
    const targetHandle = await s.client.workflow.start('signalCollector', { taskQueue, workflowId: target, args: [1] });
    await waitForType(s, target, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    const sender = uniqueName('cmp-ext-sender');
    await s.client.workflow.execute('externalSignaler', { taskQueue, workflowId: sender, args: [target, 'hi'] });
    await targetHandle.result();
    const cancelTarget = uniqueName('cmp-ext-cancel-target');
    const cancelHandle = await s.client.workflow.start('cancellationHandler', { taskQueue, workflowId: cancelTarget });
    await waitForType(s, cancelTarget, EventType.EVENT_TYPE_TIMER_STARTED);
    const canceler = uniqueName('cmp-ext-canceler');
    await s.client.workflow.execute('externalCanceler', { taskQueue, workflowId: canceler, args: [cancelTarget] });
    await cancelHandle.result();
    return {
      sender: await history(s, sender),
      target: await history(s, target),
      canceler: await history(s, canceler),
      cancelTarget: await history(s, cancelTarget),
    };
  },
  async reset(s, taskQueue) {
    const workflowId = uniqueName('cmp-reset');
    const handle = await s.client.workflow.start('resettable', { taskQueue, workflowId });
    await waitForType(s, workflowId, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    await handle.signal('add', 'a');
    await handle.result();
    const base = await readHistory(s.connection, workflowId);
    const point = base.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)!;
    const { runId } = await s.client.workflowService.resetWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId },
      reason: 'compare',
      workflowTaskFinishEventId: point.eventId,
      requestId: uniqueName('cmp-reset-request'),
    });
    await s.client.workflow.getHandle(workflowId, runId!).result();
    return { base: base.map(eventTypeName), reset: await history(s, workflowId, runId!) };
  },
};

/** The official dev server on free loopback ports, in memory. */
async function startOracle(): Promise<TestTarget> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'temporal',
    ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = `127.0.0.1:${port}`;
  const deadline = Date.now() + ORACLE_READY_TIMEOUT_MS;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.describeNamespace({ namespace: 'default' });
      return {
        address,
        connection,
        close: async () => {
          await connection.close();
          child.kill('SIGTERM');
          await exited;
        },
      };
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`temporal server start-dev did not become ready: ${(err as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

const taskQueue = uniqueName('compare');
const servers = [
  useSdkTarget({ taskQueue, workflows: 'messages' }),
  useSdkTarget({ taskQueue, workflows: 'messages', start: startOracle }),
];

describe('event-type sequences match the official server', () => {
  for (const [name, scenario] of Object.entries(scenarios)) {
    it(name, async () => {
      const [tempora, official] = await Promise.all(servers.map((s) => scenario(s, taskQueue)));
      expect(tempora).toEqual(official);
    });
  }
});

// kill -9 of `tempora start-dev` while workflow tasks wait in a worker's sticky queue, which matching keeps in memory
// only. After the restart on the same file the worker polls its sticky queue again (as SDK workers do) and must get
// each task there, as from upstream's persisted sticky queues, not lose it until the sticky schedule-to-start
// timeout writes a WorkflowTaskTimedOut. The raw worker protocol places the tasks exactly: each run's next task
// waits in the sticky queue when the server is killed.
import { afterAll, describe, expect, it } from '@jest/globals';
import { Connection } from '@temporalio/client';
import protos from '@temporalio/proto';
import { status } from '@grpc/grpc-js';
import Long from 'long';
import { devServerOnNewFile, eventually, startCli, uniqueName, type Started } from './helpers.js';
import { eventTypeName, readHistory } from './sdk-support.js';

const { TaskQueueKind } = protos.temporal.api.enums.v1;
const RUNS = 5;

const servers: Started[] = [];
afterAll(() => {
  for (const s of servers) s.child.kill('SIGKILL');
});

describe('restart with sticky workflow tasks in flight', () => {
  it('serves the sticky tasks of a killed server on the sticky queue after the restart, without a timeout', async () => {
    const { address, args } = await devServerOnNewFile('sticky');
    const first = await startCli(args);
    servers.push(first);
    let connection = await Connection.connect({ address });
    const queue = uniqueName('sticky-normal');
    const stickyQueue = {
      name: uniqueName('sticky-worker'),
      kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY,
      normalName: queue,
    };
    const workflowIds = Array.from({ length: RUNS }, (_, i) => `${queue}-${i}`);
    const pollNormal = (conn: Connection, deadlineMs: number) =>
      conn.withDeadline(Date.now() + deadlineMs, () =>
        conn.workflowService.pollWorkflowTaskQueue({
          namespace: 'default',
          taskQueue: { name: queue },
          identity: 'raw',
        }),
      );

    for (const workflowId of workflowIds) {
      await connection.workflowService.startWorkflowExecution({
        namespace: 'default',
        workflowId,
        workflowType: { name: 'rawWorkflow' },
        taskQueue: { name: queue },
        requestId: uniqueName('req'),
      });
    }
    // Each first task completes with sticky attributes: the runs' next tasks go to the sticky queue. Their sticky
    // timeout is long enough never to fire here, however slow the restart: only the sticky queue can serve them.
    for (let done = 0; done < RUNS; done++) {
      const task = await pollNormal(connection, 30_000);
      expect(task.taskToken?.length).toBeGreaterThan(0);
      await connection.workflowService.respondWorkflowTaskCompleted({
        namespace: 'default',
        taskToken: task.taskToken,
        identity: 'raw',
        commands: [],
        stickyAttributes: { workerTaskQueue: stickyQueue, scheduleToStartTimeout: { seconds: Long.fromNumber(60) } },
      });
    }
    // One sticky poll that ends empty: matching counts the sticky worker as alive, and no poll waits when the
    // signals' tasks arrive, so they stay in the sticky queue. The server answers 1 s before the deadline; on a
    // loaded machine that answer can come too late, and the client's DEADLINE_EXCEEDED ends the poll as well.
    const emptyPoll = await connection
      .withDeadline(Date.now() + 2_000, () =>
        connection.workflowService.pollWorkflowTaskQueue({
          namespace: 'default',
          taskQueue: stickyQueue,
          identity: 'raw',
        }),
      )
      .catch((err: unknown) => {
        if ((err as { code?: number }).code === status.DEADLINE_EXCEEDED) return { taskToken: undefined };
        throw err;
      });
    expect(emptyPoll.taskToken?.length ?? 0).toBe(0);
    for (const workflowId of workflowIds) {
      await connection.workflowService.signalWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId },
        signalName: 'go',
        identity: 'raw',
        requestId: uniqueName('signal'),
      });
    }
    // The transfer queue hands the tasks to matching just after the signals' writes.
    await eventually(async () => {
      const described = await connection.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: stickyQueue,
        reportStats: true,
      });
      expect(Number(described.stats?.approximateBacklogCount ?? 0)).toBe(RUNS);
    });

    first.child.kill('SIGKILL');
    await first.exited;
    await connection.close();
    const second = await startCli(args);
    servers.push(second);
    connection = await Connection.connect({ address });

    // The sticky worker polls again, as an SDK worker does once the server is back, and gets each run's task.
    const started = new Set<string>();
    while (started.size < RUNS) {
      const task = await connection.withDeadline(Date.now() + 5_000, () =>
        connection.workflowService.pollWorkflowTaskQueue({
          namespace: 'default',
          taskQueue: stickyQueue,
          identity: 'raw',
        }),
      );
      if (!task.taskToken?.length) break;
      const workflowId = task.workflowExecution?.workflowId ?? '';
      expect(workflowIds).toContain(workflowId);
      started.add(workflowId);
      await connection.workflowService.respondWorkflowTaskCompleted({
        namespace: 'default',
        taskToken: task.taskToken,
        identity: 'raw',
        commands: [
          {
            commandType: protos.temporal.api.enums.v1.CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
            completeWorkflowExecutionCommandAttributes: {},
          },
        ],
      });
    }
    expect([...started].sort()).toEqual([...workflowIds].sort());
    for (const workflowId of workflowIds) {
      const types = (await readHistory(connection, workflowId)).map(eventTypeName);
      expect(types).not.toContain('WORKFLOW_TASK_TIMED_OUT');
      expect(types.slice(-5)).toEqual([
        'WORKFLOW_EXECUTION_SIGNALED',
        'WORKFLOW_TASK_SCHEDULED',
        'WORKFLOW_TASK_STARTED',
        'WORKFLOW_TASK_COMPLETED',
        'WORKFLOW_EXECUTION_COMPLETED',
      ]);
    }

    await connection.close();
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 120_000);
});

// A batch job across a kill -9 of `tempora start-dev --db-file` (frontend, history, matching and the worker service
// running the job, all in that process): after the restart the job completes, every target was acted on exactly
// once from the workflow's point of view (one WorkflowExecutionSignaled / one WorkflowExecutionTerminated event per
// target) and DescribeBatchOperation counts every target once.
import { afterAll, describe, expect, it } from '@jest/globals';
import { Client, Connection } from '@temporalio/client';
import protos from '@temporalio/proto';
import { devServerOnNewFile, eventually, startCli, uniqueName, type Started } from './helpers.js';
import { eventTypeName, readHistory, untilNoOpenBatchJob } from './sdk-support.js';

const { BatchOperationState } = protos.temporal.api.enums.v1;
const TARGETS = 300;

const servers: Started[] = [];
afterAll(() => {
  for (const s of servers) s.child.kill('SIGKILL');
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('batch operations across a kill -9', () => {
  it('signal and terminate jobs killed midway complete with one event per target', async () => {
    const { address, args } = await devServerOnNewFile('batch-restart');
    let server = await startCli(args);
    servers.push(server);
    const connection = await Connection.connect({ address });
    const client = new Client({ connection, namespace: 'default' });
    const svc = connection.workflowService;
    const prefix = uniqueName('crash');
    const queue = uniqueName('nobody');
    for (let i = 0; i < TARGETS; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          client.workflow.start('unpolled', { taskQueue: queue, workflowId: `${prefix}-${i + j}` }),
        ),
      );
    }
    const query = `WorkflowId STARTS_WITH '${prefix}-'`;
    await eventually(async () => {
      expect((await client.workflow.count(`${query} AND ExecutionStatus = 'Running'`)).count).toBe(TARGETS);
    });

    /** Runs a job at 50 operations per second (about 6 s), kills the server once a third is done, restarts it. */
    async function killedMidway(jobId: string, operation: object): Promise<void> {
      await svc.startBatchOperation({
        namespace: 'default',
        jobId,
        reason: 'crash test',
        visibilityQuery: query,
        maxOperationsPerSecond: 50,
        ...operation,
      });
      const deadline = Date.now() + 60_000;
      for (;;) {
        const d = await svc.describeBatchOperation({ namespace: 'default', jobId });
        if (Number(d.completeOperationCount) >= TARGETS / 3) break;
        if (Date.now() > deadline) throw new Error(`${jobId}: ${String(d.completeOperationCount)} done after 60 s`);
        await sleep(100);
      }
      server.child.kill('SIGKILL');
      await server.exited;
      server = await startCli(args);
      servers.push(server);
      await client.workflow.getHandle(jobId).result();
      const job = await svc.describeBatchOperation({ namespace: 'default', jobId });
      expect([
        job.state,
        Number(job.totalOperationCount),
        Number(job.completeOperationCount),
        Number(job.failureOperationCount),
      ]).toEqual([BatchOperationState.BATCH_OPERATION_STATE_COMPLETED, TARGETS, TARGETS, 0]);
    }

    async function eventsPerTarget(type: string): Promise<number[]> {
      const counts: number[] = [];
      for (let i = 0; i < TARGETS; i++) {
        const history = await readHistory(connection, `${prefix}-${i}`);
        counts.push(history.filter((e) => eventTypeName(e) === type).length);
      }
      return counts;
    }

    await killedMidway(uniqueName('job-signal'), { signalOperation: { signal: 'poke', identity: 'crash' } });
    expect(await eventsPerTarget('WORKFLOW_EXECUTION_SIGNALED')).toEqual(new Array<number>(TARGETS).fill(1));

    // One open job per namespace: the next starts once visibility has the first one closed.
    await untilNoOpenBatchJob(client);
    await killedMidway(uniqueName('job-terminate'), { terminationOperation: { identity: 'crash' } });
    expect(await eventsPerTarget('WORKFLOW_EXECUTION_TERMINATED')).toEqual(new Array<number>(TARGETS).fill(1));
    await connection.close();
  }, 240_000);
});

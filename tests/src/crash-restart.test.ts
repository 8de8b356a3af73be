// Durability: kill -9 of `tempora start-dev` while timers, activities and workflow tasks are in flight, then a
// restart on the same database file. Every workflow must complete with the right result.
import { afterAll, describe, expect, it } from '@jest/globals';
import { Client, Connection } from '@temporalio/client';
import * as activities from './activities.js';
import { devServerOnNewFile, startCli, uniqueName, type Started } from './helpers.js';
import { bundleWorkflows, installRuntime, runWorker } from './sdk-support.js';

const WORKFLOWS = 40;

const servers: Started[] = [];
afterAll(() => {
  for (const s of servers) s.child.kill('SIGKILL');
});

describe('crash and restart', () => {
  it('completes every workflow after the server is killed with SIGKILL and restarted on the same file', async () => {
    installRuntime();
    const { address, args } = await devServerOnNewFile('crash');

    const first = await startCli(args);
    servers.push(first);
    const taskQueue = uniqueName('crash');
    const worker = await runWorker(address, { taskQueue, workflowBundle: await bundleWorkflows('index'), activities });
    const connection = await Connection.connect({ address });
    const client = new Client({ connection, namespace: 'default' });

    const ids = Array.from({ length: WORKFLOWS }, (_, i) => `${taskQueue}-${i}`);
    await Promise.all(
      ids.map((workflowId, i) => client.workflow.start('crashSurvivorWorkflow', { taskQueue, workflowId, args: [i] })),
    );
    // Let the workflows get going: the first activity completes and timers are pending for most of them.
    await client.workflow.getHandle(ids[0]!).fetchHistory();
    await new Promise((resolve) => setTimeout(resolve, 700));

    first.child.kill('SIGKILL');
    await first.exited;
    const second = await startCli(args);
    servers.push(second);

    const results = await Promise.all(ids.map((workflowId) => client.workflow.getHandle(workflowId).result()));
    expect(results).toEqual(ids.map((_, i) => `a${i}-b${i}`));

    await worker.stop();
    await connection.close();
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 120_000);
});

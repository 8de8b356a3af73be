// Updates across a crash: an update admitted while no worker runs leaves a speculative workflow task behind; after
// kill -9 and a restart on the same database file the run is not wedged by it, and updates work again.
import { afterAll, expect, it } from '@jest/globals';
import { Client, Connection } from '@temporalio/client';
import { devServerOnNewFile, startCli, uniqueName, type Started } from './helpers.js';
import { bundleWorkflows, installRuntime, runWorker } from './sdk-support.js';
import { addUpdate, counterWorkflow, finishUpdate } from './workflows/queries-updates.js';

const servers: Started[] = [];
afterAll(() => {
  for (const s of servers) s.child.kill('SIGKILL');
});

it('a speculative workflow task lost in a crash does not wedge the run', async () => {
  installRuntime();
  const { address, args } = await devServerOnNewFile('updates');
  const first = await startCli(args);
  servers.push(first);
  const taskQueue = uniqueName('updates-crash');
  const workflowBundle = await bundleWorkflows('queries-updates');
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });

  const worker = await runWorker(address, { taskQueue, workflowBundle });
  const handle = await client.workflow.start(counterWorkflow, {
    taskQueue,
    workflowId: uniqueName('counter'),
    args: [0],
  });
  expect(await handle.executeUpdate(addUpdate, { args: [1] })).toBe(1);
  await worker.stop();

  // No worker: the update waits, its speculative task is scheduled and persisted with the run's state.
  const lost = handle.executeUpdate(addUpdate, { args: [10] }).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  for (;;) {
    const described = await handle.describe();
    if (described.raw.pendingWorkflowTask) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  first.child.kill('SIGKILL');
  await first.exited;
  const second = await startCli(args);
  servers.push(second);

  const restarted = await runWorker(address, { taskQueue, workflowBundle });
  try {
    const next = await handle.executeUpdate(addUpdate, { args: [100] });
    const outcome = await lost;
    // The caller of the update in flight during the crash retried it (then it applied) or got an error.
    const applied = 'value' in outcome ? 10 : 0;
    expect([101, 111]).toContain(next);
    await handle.executeUpdate(finishUpdate);
    expect(await handle.result()).toBe(101 + applied);
  } finally {
    await restarted.stop();
    await connection.close();
  }
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);
}, 120_000);

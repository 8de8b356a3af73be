// Durability: kill -9 of `tempora start-dev` while timers, activities and workflow tasks are in flight, then a
// restart on the same database file. Every workflow must complete with the right result.
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import * as activities from './activities.js';
import { freePort, startCli, uniqueName, type Started } from './helpers.js';

const workflowsPath = fileURLToPath(new URL('./workflows/index.js', import.meta.url));
const WORKFLOWS = 40;

const servers: Started[] = [];
afterAll(() => {
  for (const s of servers) s.child.kill('SIGKILL');
});

describe('crash and restart', () => {
  it('completes every workflow after the server is killed with SIGKILL and restarted on the same file', async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const dbFile = join(mkdtempSync(join(tmpdir(), 'tempora-crash-')), 'crash.db');
    const args = ['start-dev', '--port', String(port), '--db-file', dbFile, '--log-level', 'warn'];

    const first = await startCli(args);
    servers.push(first);
    const taskQueue = uniqueName('crash');
    const nativeConnection = await NativeConnection.connect({ address });
    const worker = await Worker.create({ connection: nativeConnection, namespace: 'default', taskQueue, workflowsPath, activities });
    const workerRun = worker.run();
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

    worker.shutdown();
    await workerRun;
    await connection.close();
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 120_000);
});

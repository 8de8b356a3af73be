// Acceptance: 1,000 concurrent hello workflows (each with an activity) complete with the right results.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import * as activities from './activities.js';
import { startTestServer, uniqueName, type TestServer } from './helpers.js';

const workflowsPath = fileURLToPath(new URL('./workflows/index.js', import.meta.url));
const WORKFLOWS = 1_000;

let t: TestServer;
let worker: Worker;
let workerRun: Promise<void>;
const taskQueue = uniqueName('load');

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  t = await startTestServer();
  const connection = await NativeConnection.connect({ address: t.server.address });
  worker = await Worker.create({ connection, namespace: 'default', taskQueue, workflowsPath, activities, maxConcurrentWorkflowTaskExecutions: 100 });
  workerRun = worker.run();
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await workerRun;
  await t?.close();
});

describe('concurrency', () => {
  it(`completes ${WORKFLOWS} concurrent hello workflows`, async () => {
    const client = new Client({ connection: t.connection, namespace: 'default' });
    const names = Array.from({ length: WORKFLOWS }, (_, i) => `user-${i}`);
    const handles = await Promise.all(
      names.map((name) => client.workflow.start('helloWorkflow', { taskQueue, workflowId: `${taskQueue}-${name}`, args: [name] })),
    );
    const results = await Promise.all(handles.map((handle) => handle.result()));
    expect(results).toEqual(names.map((name) => `Hello, ${name}!`));
  }, 240_000);
});

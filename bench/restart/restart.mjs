#!/usr/bin/env node
// Restart after kill -9, measured the same way on Tempora and on the official dev server:
//   node bench/restart/restart.mjs tempora|temporal [workflows=300] [steps=6] [killAfterMs=1500]
// Starts the server on a new database file, runs `workflows` runs of `steps` activities with one SDK worker, kills
// the server with SIGKILL `killAfterMs` after the starts, restarts it on the same file and prints (JSON) the time
// from the second spawn until GetSystemInfo and DescribeNamespace answer, and, once every run completed, the
// WorkflowTaskTimedOut events in their histories by timeout type and task queue kind.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers';
import { URL, fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';

const [kind = 'tempora', workflows = '300', steps = '6', killAfter = '1500'] = process.argv.slice(2);
const RUNS = Number(workflows);
const STEPS = Number(steps);
const CLI = fileURLToPath(new URL('../../packages/cli/dist/tempora.js', import.meta.url));
const HOST = '127.0.0.1';

Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: 'ERROR' } } });

const port = await new Promise((resolve) => {
  const server = createServer().listen(0, HOST, () => {
    const { port: free } = server.address();
    server.close(() => resolve(free));
  });
});
const address = `${HOST}:${port}`;
const dbFile = join(mkdtempSync(join(tmpdir(), 'restart-bench-')), 'db.sqlite');

function spawnServer() {
  const [command, args] =
    kind === 'tempora'
      ? [process.execPath, [CLI, 'start-dev', '--port', String(port), '--db-file', dbFile, '--log-level', 'warn']]
      : [
          'temporal',
          ['server', 'start-dev', '--headless', '--db-filename', dbFile, '--port', String(port), '--ui-port', '0'],
        ];
  const child = spawn(command, [...args], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return { child, exited };
}

const portOpen = () =>
  new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });

/** Milliseconds from `since` until the port accepts and both calls answer. */
async function untilReady(since) {
  for (;;) {
    try {
      await portOpen();
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.withDeadline(Date.now() + 1_000, async () => {
          await connection.workflowService.getSystemInfo({});
          await connection.workflowService.describeNamespace({ namespace: 'default' });
        });
        return Date.now() - since;
      } finally {
        await connection.close();
      }
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

let server = spawnServer();
await untilReady(Date.now());
const taskQueue = `restart-${Date.now()}`;
const workflowBundle = await bundleWorkflowCode({
  workflowsPath: fileURLToPath(new URL('./workflows.mjs', import.meta.url)),
  logger: new DefaultLogger('WARN'),
});
const workerConnection = await NativeConnection.connect({ address });
const worker = await Worker.create({
  connection: workerConnection,
  namespace: 'default',
  taskQueue,
  workflowBundle,
  activities: { echo: async (s) => s },
});
const running = worker.run();
const connection = await Connection.connect({ address });
const client = new Client({ connection, namespace: 'default' });
const ids = Array.from({ length: RUNS }, (_, i) => `${taskQueue}-${i}`);
await Promise.all(
  ids.map((workflowId) =>
    client.workflow.start('steps', { taskQueue, workflowId, args: [STEPS], workflowTaskTimeout: '10s' }),
  ),
);
await new Promise((resolve) => setTimeout(resolve, Number(killAfter)));

server.child.kill('SIGKILL');
await server.exited;
const respawned = Date.now();
server = spawnServer();
const readyMs = await untilReady(respawned);
const results = await Promise.all(ids.map((id) => client.workflow.getHandle(id).result()));
const expected = Array.from({ length: STEPS }, (_, i) => String(i)).join('');
const timedOut = {};
let total = 0;
for (const id of ids) {
  const { events } = await client.workflow.getHandle(id).fetchHistory();
  for (const event of events) {
    const attributes = event.workflowTaskTimedOutEventAttributes;
    if (!attributes) continue;
    const scheduled = events.find((e) => String(e.eventId) === String(attributes.scheduledEventId));
    const queueKind = scheduled?.workflowTaskScheduledEventAttributes?.taskQueue?.kind === 2 ? 'sticky' : 'normal';
    const type = attributes.timeoutType === 2 ? 'scheduleToStart' : 'startToClose';
    timedOut[`${type}/${queueKind}`] = (timedOut[`${type}/${queueKind}`] ?? 0) + 1;
    total++;
  }
}
console.log(
  JSON.stringify({
    kind,
    workflows: RUNS,
    steps: STEPS,
    readyMs,
    wrongResults: results.filter((r) => r !== expected).length,
    workflowTaskTimedOut: total,
    byType: timedOut,
  }),
);
worker.shutdown();
await running;
await workerConnection.close();
await connection.close();
server.child.kill('SIGTERM');
await server.exited;

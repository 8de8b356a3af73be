#!/usr/bin/env node
// Online resharding as an operator does it, on a running Tempora cluster:
//   node bench/reshard/reshard.mjs <frontend host:port> [openWorkflows=10000] [shards=16]
// Starts `openWorkflows` runs that wait for a signal, keeps a load of hello workflows (one activity each, 20 at a
// time) running, runs `tempora admin reshard --shards <shards>` and times it, then stops the load, signals every
// open run and waits for all of them. Prints the reshard's output, `tempora admin shards` and a JSON summary: the
// reshard's wall time, the load's completions, errors and latency during it, and whether every run finished.
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import { promisify } from 'node:util';
import { URL, fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';

const [address = '127.0.0.1:7233', open = '10000', shards = '16'] = process.argv.slice(2);
const OPEN = Number(open);
const CLI = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));
const run = promisify(execFile);
const taskQueue = `reshard-bench-${Date.now()}`;

Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: 'ERROR' } } });
const workflowBundle = await bundleWorkflowCode({
  workflowsPath: fileURLToPath(new URL('./workflows.mjs', import.meta.url)),
  logger: new DefaultLogger('ERROR'),
});
// The open runs and the load on queues of their own, so the load is not queued behind the open runs' first tasks.
const workerOn = async (queue) =>
  Worker.create({
    connection: await NativeConnection.connect({ address }),
    namespace: 'default',
    taskQueue: queue,
    workflowBundle,
    activities: { echo: async (value) => value },
    maxConcurrentWorkflowTaskExecutions: 100,
    maxCachedWorkflows: 200,
  });
const loadQueue = `${taskQueue}-load`;
const workers = [await workerOn(taskQueue), await workerOn(loadQueue)];
const workerRuns = workers.map((w) => w.run());
const connection = await Connection.connect({ address });
const client = new Client({ connection, namespace: 'default' });

async function inBatches(count, size, fn) {
  for (let i = 0; i < count; i += size) {
    await Promise.all(Array.from({ length: Math.min(size, count - i) }, (_, j) => fn(i + j)));
  }
}

const waiterId = (i) => `${taskQueue}-waiter-${i}`;
let started = performance.now();
await inBatches(OPEN, 100, (i) => client.workflow.start('waiter', { taskQueue, workflowId: waiterId(i), args: [i] }));
const startSeconds = (performance.now() - started) / 1000;
process.stderr.write(`${OPEN} open workflows started in ${startSeconds.toFixed(1)} s\n`);

// The load: 20 hello workflows at a time, each timed start to result.
const latencies = [];
let loadErrors = 0;
let loading = true;
const load = Promise.all(
  Array.from({ length: 20 }, async (_, lane) => {
    for (let n = 0; loading; n++) {
      const t0 = performance.now();
      try {
        await client.workflow.execute('hello', {
          taskQueue: loadQueue,
          workflowId: `${taskQueue}-load-${lane}-${n}`,
          args: ['x'],
        });
        latencies.push(performance.now() - t0);
      } catch (err) {
        loadErrors++;
        process.stderr.write(`load error: ${err.message}\n`);
      }
    }
  }),
);
await new Promise((resolve) => setTimeout(resolve, 5000));
const beforeReshard = latencies.length;

started = performance.now();
const { stdout: reshardOutput } = await run(
  process.execPath,
  [CLI, 'admin', 'reshard', '--shards', shards, '--address', address],
  {
    maxBuffer: 1 << 24,
  },
);
const reshardSeconds = (performance.now() - started) / 1000;
const duringReshard = latencies.slice(beforeReshard);
await new Promise((resolve) => setTimeout(resolve, 3000));
loading = false;
await load;

started = performance.now();
await inBatches(OPEN, 100, (i) => client.workflow.getHandle(waiterId(i)).signal('go'));
const results = [];
await inBatches(OPEN, 200, async (i) => results.push(await client.workflow.getHandle(waiterId(i)).result()));
const finishSeconds = (performance.now() - started) / 1000;
const { stdout: shardTable } = await run(process.execPath, [CLI, 'admin', 'shards', '--address', address]);

const sorted = [...duringReshard].sort((a, b) => a - b);
const pct = (p) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]) : 0);
process.stdout.write(reshardOutput + shardTable);
process.stdout.write(
  JSON.stringify(
    {
      openWorkflows: OPEN,
      shards: Number(shards),
      reshardSeconds: Number(reshardSeconds.toFixed(1)),
      loadCompletedDuringReshard: duringReshard.length,
      loadErrors,
      loadLatencyMsDuringReshard: { p50: pct(0.5), p99: pct(0.99), max: pct(1) },
      loadLatencyMsBefore: latencies.slice(0, beforeReshard).sort((a, b) => a - b)[Math.floor(beforeReshard / 2)] ?? 0,
      everyOpenWorkflowFinished: results.length === OPEN && results.every((r) => r.startsWith('done ')),
      finishSeconds: Number(finishSeconds.toFixed(1)),
    },
    null,
    2,
  ) + '\n',
);
for (const w of workers) w.shutdown();
await Promise.all(workerRuns);
await connection.close();

// `tempora start-dev` as a user runs it: a real process, its health endpoint, SIGTERM, and a restart on the same file.
import { afterEach, describe, expect, it } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI, devServerOnNewFile, eventually, freePort, startCli, uniqueName } from './helpers.js';
import { bundleWorkflows, installRuntime, runWorker } from './sdk-support.js';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { Client, Connection } from '@temporalio/client';
import Long from 'long';
import { service as healthService } from 'grpc-health-check';

const BUNDLE_SCRIPT = fileURLToPath(new URL('../../packages/cli/scripts/bundle.mjs', import.meta.url));
const CLUSTER_CONFIG = fileURLToPath(new URL('../../deploy/config/tempora.yaml', import.meta.url));

/** The one method of grpc.health.v1.Health these tests call, on the generic client. */
type HealthCheck = (
  request: { service: string },
  callback: (err: Error | null, res: { status: number | string }) => void,
) => void;

/** HealthListResponse as grpc-health-check's definition decodes it (enums as names). */
interface HealthList {
  statuses: Record<string, { status: string }>;
}

function checkHealth(address: string, serviceName: string): Promise<number> {
  const Client = grpc.makeGenericClientConstructor(healthService as grpc.ServiceDefinition, 'Health');
  const client = new Client(address, grpc.credentials.createInsecure()) as InstanceType<typeof Client> & {
    check: HealthCheck;
  };
  return new Promise((resolve, reject) => {
    client.check({ service: serviceName }, (err, res) => {
      client.close();
      if (err) reject(err);
      else resolve(typeof res.status === 'number' ? res.status : res.status === 'SERVING' ? 1 : 2);
    });
  });
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL');
});

describe('tempora start-dev', () => {
  it('serves health, stops cleanly on SIGTERM and keeps namespaces across a restart', async () => {
    const port = await freePort();
    const dbFile = join(mkdtempSync(join(tmpdir(), 'tempora-')), 'dev.db');
    const address = `127.0.0.1:${port}`;
    const args = ['start-dev', '--port', String(port), '--db-file', dbFile, '--namespace', 'extra-ns'];

    const first = await startCli(args);
    running.push(first.child);
    expect(await checkHealth(address, '')).toBe(1);
    expect(await checkHealth(address, 'temporal.api.workflowservice.v1.WorkflowService')).toBe(1);
    let connection = await Connection.connect({ address });
    await connection.workflowService.registerNamespace({
      namespace: 'survives-restart',
      workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(86400) },
    });
    await connection.close();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await startCli(args);
    running.push(second.child);
    connection = await Connection.connect({ address });
    const list = await connection.workflowService.listNamespaces({});
    const names = list.namespaces.map((ns) => ns.namespaceInfo?.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'extra-ns', 'survives-restart']));
    await connection.close();
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('answers health Check of an unknown service, List and Watch as the gRPC project defines them', async () => {
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const server = await startCli(['start-dev', '--port', String(port)]);
    running.push(server.child);
    const Client = grpc.makeGenericClientConstructor(healthService as grpc.ServiceDefinition, 'Health');
    const client = new Client(address, grpc.credentials.createInsecure()) as InstanceType<typeof Client> & {
      check: HealthCheck;
      list: (request: object, callback: (err: grpc.ServiceError | null, res: HealthList) => void) => void;
      watch: (request: { service: string }) => grpc.ClientReadableStream<{ status: string }>;
    };
    try {
      const unknown = await new Promise<grpc.ServiceError | null>((resolve) =>
        client.check({ service: 'no.such.Service' }, (err) => resolve(err as grpc.ServiceError | null)),
      );
      expect(unknown?.code).toBe(grpc.status.NOT_FOUND);
      expect(unknown?.details).toBe('Health status unknown for service no.such.Service');
      const listed = await new Promise<HealthList>((resolve, reject) =>
        client.list({}, (err, res) => (err ? reject(err) : resolve(res))),
      );
      expect(listed.statuses).toEqual({
        '': { status: 'SERVING' },
        'temporal.api.workflowservice.v1.WorkflowService': { status: 'SERVING' },
        'temporal.api.operatorservice.v1.OperatorService': { status: 'SERVING' },
        'tempora.admin.v1.AdminService': { status: 'SERVING' },
      });
      // Watch sends the current status at once, SERVICE_UNKNOWN for a name it does not know, and then every change:
      // the drain on SIGTERM turns the server NOT_SERVING.
      const watched = (service: string, count: number) => {
        const stream = client.watch({ service });
        const statuses: string[] = [];
        return new Promise<string[]>((resolve) => {
          stream.on('data', ({ status }: { status: string }) => {
            if (statuses.push(status) === count) resolve(statuses);
          });
          stream.on('error', () => resolve(statuses));
        });
      };
      expect(await watched('no.such.Service', 1)).toEqual(['SERVICE_UNKNOWN']);
      const overall = client.watch({ service: '' });
      const changes: string[] = [];
      let first!: () => void;
      const answered = new Promise<void>((resolve) => (first = resolve));
      const drained = new Promise<void>((resolve) =>
        overall.on('data', ({ status }: { status: string }) => {
          const count = changes.push(status);
          if (count === 1) first();
          if (count === 2) resolve();
        }),
      );
      overall.on('error', () => {});
      await answered;
      server.child.kill('SIGTERM');
      await drained;
      expect(changes).toEqual(['SERVING', 'NOT_SERVING']);
      expect(await server.exited).toBe(0);
    } finally {
      client.close();
    }
  });

  it('refuses a bad port with a clear message', async () => {
    const child = spawn(process.execPath, [CLI, 'start-dev', '--port', 'seventy'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain('must be a port number');
  });
});

describe('the bundled tempora command', () => {
  it('is built by the bundle script and runs start-dev: a workflow on an SDK worker and a schedule of the system worker', async () => {
    installRuntime();
    // Its own copy, built from the compiled packages as `pnpm build` does: dist/bundle may be stale in a checkout.
    const outdir = mkdtempSync(join(tmpdir(), 'tempora-bundle-'));
    await promisify(execFile)(process.execPath, [BUNDLE_SCRIPT, outdir]);
    const { address, args } = await devServerOnNewFile('bundled');
    const httpPort = await freePort();
    const server = await startCli(
      [...args, '--http-port', String(httpPort)],
      {},
      'dev server ready',
      join(outdir, 'tempora.mjs'),
    );
    running.push(server.child);
    // The HTTP API's JSON codec is a lazily evaluated module of the bundle, first run by this request.
    const described = await fetch(`http://127.0.0.1:${httpPort}/api/v1/namespaces/default`);
    expect(described.status).toBe(200);
    expect(((await described.json()) as { namespaceInfo: { name: string } }).namespaceInfo.name).toBe('default');
    const connection = await Connection.connect({ address });
    const client = new Client({ connection, namespace: 'default' });
    const taskQueue = uniqueName('bundled');
    const worker = await runWorker(address, { taskQueue, workflowBundle: await bundleWorkflows() });
    try {
      const result: unknown = await client.workflow.execute('sleepWorkflow', {
        taskQueue,
        workflowId: uniqueName('bundled-wf'),
        args: [10],
      });
      expect(result).toBe('slept');
      // The scheduler workflow runs on the worker service, which loads the SDK and its prebuilt workflow bundle
      // from beside the compiled worker package.
      const scheduleId = uniqueName('bundled-schedule');
      const workflowId = uniqueName('scheduled');
      const schedule = await client.schedule.create({
        scheduleId,
        spec: { intervals: [{ every: '1s' }] },
        action: { type: 'startWorkflow', workflowType: 'sleepWorkflow', taskQueue, workflowId, args: [1] },
      });
      const taken = await eventually(async () => {
        const { info } = await schedule.describe();
        if (!info.recentActions.length) throw new Error('no action taken yet');
        return info.recentActions[0]!.action.workflow.workflowId;
      }, 30_000);
      expect(await client.workflow.getHandle(taken).result()).toBe('slept');
      await schedule.delete();
    } finally {
      await worker.stop();
      await connection.close();
    }
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    // The first run left V8's code cache beside the bundle; the next start runs from it and, since V8 accepted it,
    // does not write it again.
    const cache = join(outdir, 'tempora.cjs.cache');
    const written = statSync(cache).mtimeMs;
    const again = await startCli(args, {}, 'dev server ready', join(outdir, 'tempora.mjs'));
    running.push(again.child);
    const connection2 = await Connection.connect({ address });
    try {
      const { namespaceInfo } = await connection2.workflowService.describeNamespace({ namespace: 'default' });
      expect(namespaceInfo?.name).toBe('default');
    } finally {
      await connection2.close();
    }
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    expect(statSync(cache).mtimeMs).toBe(written);
  });
});

describe('tempora start (cluster entry)', () => {
  it('runs the chosen services on their configured ports with config file and environment overrides', async () => {
    const [frontendPort, historyPort] = [await freePort(), await freePort()];
    const dbFile = join(mkdtempSync(join(tmpdir(), 'tempora-')), 'cluster.db');
    const env = {
      TEMPORA_SERVICES__FRONTEND__GRPC_PORT: String(frontendPort),
      TEMPORA_SERVICES__HISTORY__GRPC_PORT: String(historyPort),
      TEMPORA_SERVICES__FRONTEND__HTTP_PORT: String(await freePort()),
      TEMPORA_PERSISTENCE__SQLITE__FILE: dbFile,
      TEMPORA_NAMESPACES: 'default,orders',
    };
    const started = await startCli(
      ['start', '--config', CLUSTER_CONFIG, '--services', 'frontend,history'],
      env,
      'Tempora started',
    );
    running.push(started.child);
    expect(await checkHealth(`127.0.0.1:${historyPort}`, '')).toBe(1);
    const connection = await Connection.connect({ address: `127.0.0.1:${frontendPort}` });
    const ns = await connection.workflowService.describeNamespace({ namespace: 'orders' });
    expect(ns.namespaceInfo?.name).toBe('orders');
    await connection.close();
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  });

  it('refuses an unknown service and a config key that does not exist', async () => {
    for (const [args, text] of [
      [['start', '--services', 'frontend,gateway'], 'unknown service "gateway"'],
      [['start', '--config', CLUSTER_CONFIG], 'TEMPORA_BOGUS'],
    ] as const) {
      const child = spawn(process.execPath, [CLI, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, TEMPORA_BOGUS: '1' },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).not.toBe(0);
      expect(stderr).toContain(text);
    }
  });
});

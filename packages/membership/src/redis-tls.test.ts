// Membership over TLS to a real redis-server started here with --tls-port and --tls-auth-clients yes (mutual TLS),
// on openssl-made certificates. Skipped when redis-server or openssl is missing, except in CI.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@tempora/common';
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
  let dir: string;
  let redis: ChildProcess;
  let url: string;
  const logger = createLogger('silent');
  const read = (name: string) => readFileSync(join(dir, name));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tempora-redis-tls-'));
    const ec = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';
    const script = [
      `openssl req -x509 ${ec} -keyout ca.key -out ca.pem -days 1 -subj /CN=redis-test-ca`,
      `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth,clientAuth\\n' > leaf.ext`,
      `openssl req ${ec} -keyout redis.key -out redis.csr -subj /CN=redis`,
      'openssl x509 -req -in redis.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -extfile leaf.ext -out redis.pem',
      `openssl req ${ec} -keyout client.key -out client.csr -subj /CN=tempora`,
      'openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -extfile leaf.ext -out client.pem',
    ].join('\n');
    execFileSync('sh', ['-ec', script], { cwd: dir, stdio: 'pipe' });
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
        join(dir, 'redis.pem'),
        '--tls-key-file',
        join(dir, 'redis.key'),
        '--tls-ca-cert-file',
        join(dir, 'ca.pem'),
        '--tls-auth-clients',
        'yes',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ],
      { stdio: 'ignore' },
    );
    const tls = { ca: read('ca.pem'), cert: read('client.pem'), key: read('client.key') };
    const deadline = Date.now() + 10_000;
    while (!(await probeRedis(url, 500, tls))) {
      if (Date.now() > deadline) throw new Error('redis-server with TLS did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  afterAll(() => {
    redis?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers and sees members with a client certificate; plaintext and certificate-less clients are refused', async () => {
    const tls = { ca: read('ca.pem'), cert: read('client.pem'), key: read('client.key') };
    const membership = await RedisMembership.connect({ url, clusterName: 'tls-test', logger, tls });
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
    expect(await probeRedis(url, 500, { ca: read('ca.pem') })).toBe(false);
  });
});

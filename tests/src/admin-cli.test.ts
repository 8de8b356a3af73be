// `tempora admin membership|shards` and `tempora start --grpc-port` from the built CLI, against a dev server
// (in-process membership: one member per service, owning every shard).
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startDevServer } from '@tempora/cli';
import { CLI, freePort, useTestServer } from './helpers.js';
import { makeCertificates } from './tls-support.js';

const run = promisify(execFile);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('tempora admin', () => {
  const t = useTestServer({ numHistoryShards: 3 });

  it('lists the members of every ring', async () => {
    const { code, stdout } = await cli(['admin', 'membership', '--address', t.server.address]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('membership: in-process');
    expect(lines[1]).toMatch(/^SERVICE\s+ADDRESS\s+IDENTITY\s+STARTED$/);
    expect(lines.slice(2).map((l) => l.split(/\s+/)[0])).toEqual(['frontend', 'history', 'matching', 'worker']);
  });

  it('lists every shard with the same owner on the ring and in the store', async () => {
    const { code, stdout } = await cli(['admin', 'shards', '--address', t.server.address]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('history shards: 3');
    const rows = lines.slice(2).map((l) => l.split(/\s+/));
    expect(rows.map((r) => r[0])).toEqual(['1', '2', '3']);
    for (const [, ringOwner, storeOwner, rangeId] of rows) {
      expect(ringOwner).toMatch(/^history-/);
      expect(storeOwner).toBe(ringOwner);
      expect(Number(rangeId)).toBeGreaterThan(0);
    }
  });

  it('refuses a shard count that is not a larger multiple of the current one, naming the field', async () => {
    for (const shards of ['4', '3']) {
      const { code, stderr } = await cli(['admin', 'reshard', '--shards', shards, '--address', t.server.address]);
      expect([code, stderr]).toEqual([
        1,
        `tempora: shard_count ${shards} must be a multiple of the current history shard count 3 and larger.\n`,
      ]);
    }
  });

  it('fails with a one-line message when the frontend is unreachable', async () => {
    const { code, stderr } = await cli(['admin', 'shards', '--address', `127.0.0.1:${await freePort()}`]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^tempora: .*(ECONNREFUSED|No connection established)/);
  });

  it('rejects --grpc-port with more than one service', async () => {
    const { code, stderr } = await cli(['start', '--services', 'history,matching', '--grpc-port', '7000']);
    expect(code).toBe(1);
    expect(stderr).toBe('tempora: --grpc-port needs exactly one service in --services\n');
  });
});

describe('tempora admin over mutual TLS', () => {
  it('reaches a frontend that requires client certificates with the --tls-* flags, and only with them', async () => {
    const certs = makeCertificates([
      ['server', 'tempora-server'],
      ['client', 'tempora-admin'],
    ]);
    const server = await startDevServer({
      port: 0,
      logLevel: 'silent',
      tls: {
        certFile: certs.file('server.pem'),
        keyFile: certs.file('server.key'),
        clientCaFiles: [certs.file('ca.pem')],
        requireClientAuth: true,
      },
    });
    try {
      const address = ['--address', server.address];
      const withCa = ['--tls-ca-path', certs.file('ca.pem')];
      const withCert = ['--tls-cert-path', certs.file('client.pem'), '--tls-key-path', certs.file('client.key')];
      const ok = await cli(['admin', 'shards', ...address, ...withCa, ...withCert]);
      expect(ok.code).toBe(0);
      expect(ok.stdout.split('\n')[1]).toMatch(/^SHARD\s+RING OWNER/);
      expect(ok.stdout.trim().split('\n')).toHaveLength(2 + server.config.numHistoryShards);
      // Plaintext, and TLS without a client certificate, are refused by the server.
      expect((await cli(['admin', 'shards', ...address])).code).toBe(1);
      expect((await cli(['admin', 'membership', ...address, ...withCa])).code).toBe(1);
      // A certificate without its key is a usage error, said before connecting.
      const half = await cli(['admin', 'shards', ...address, ...withCa, '--tls-cert-path', certs.file('client.pem')]);
      expect(half.stderr).toBe('tempora: --tls-cert-path and --tls-key-path go together\n');
    } finally {
      await server.stop();
    }
  });
});

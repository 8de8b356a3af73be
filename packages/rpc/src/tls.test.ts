// TLS and mutual TLS on real gRPC servers with openssl-made certificates: the internal client connects with the CA
// (and a client certificate), plaintext and certificate-less clients are refused, and certificate files rewritten
// on disk are served to new connections without a restart.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import type { Server } from '@grpc/grpc-js';
import { createLogger, type ServerTlsConfig } from '@tempora/common';
import * as messages from '@tempora/proto/internal';
import { MatchingServiceService, type MatchingServiceServer } from '@tempora/proto/internal';
import { Code } from './errors.js';
import { grpcClient } from './grpc-client.js';
import { createServer, listen, serveService, shutdown } from './server.js';
import { INSECURE_CHANNEL, channelSecurity, serverCredentials, type ChannelSecurity } from './tls.js';

const logger = createLogger('silent');

/** In dir: CA `ca` and leaf certificates (name.pem, name.key) for 127.0.0.1/localhost, signed by it. */
function makeCertificates(dir: string, leaves: [name: string, cn: string, usage: string][]): void {
  const ec = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';
  const lines = [`openssl req -x509 ${ec} -keyout ca.key -out ca.pem -days 2 -subj /CN=tempora-test-ca`];
  for (const [name, cn, usage] of leaves) {
    lines.push(
      `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=${usage}\\nbasicConstraints=CA:FALSE\\n' > ${name}.ext`,
      `openssl req ${ec} -keyout ${name}.key -out ${name}.csr -subj /CN=${cn}`,
      `openssl x509 -req -in ${name}.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ${name}.ext -out ${name}.pem`,
    );
  }
  execFileSync('sh', ['-ec', lines.join('\n')], { cwd: dir, stdio: 'pipe' });
}

/** The CN of the certificate a new TLS connection to the port is served. */
function servedCommonName(port: number, ca: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, ALPNProtocols: ['h2'] }, () => {
      const cn = socket.getPeerCertificate().subject.CN;
      socket.destroy();
      resolve(String(cn));
    });
    socket.on('error', reject);
  });
}

describe('gRPC TLS', () => {
  let dir: string;
  const servers: Server[] = [];
  const handlers = { describeTaskQueue: async () => ({ response: { pollers: [{ identity: 'tls-owner' }] } }) };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tempora-tls-'));
    makeCertificates(dir, [
      ['server', 'server-1', 'serverAuth'],
      ['rotated', 'server-2', 'serverAuth'],
      ['client', 'client-1', 'serverAuth,clientAuth'],
    ]);
  });

  afterAll(async () => {
    for (const server of servers) await shutdown(server, 0);
    rmSync(dir, { recursive: true, force: true });
  });

  const file = (name: string) => join(dir, name);

  async function serve(tls: ServerTlsConfig): Promise<number> {
    const server = createServer();
    servers.push(server);
    serveService<MatchingServiceServer>(server, MatchingServiceService, handlers, { logger, messages });
    return listen(server, '127.0.0.1', 0, serverCredentials(tls, { refreshMs: 60_000, logger, name: 'test' }));
  }

  function call(port: number, security: ChannelSecurity) {
    const client = grpcClient<MatchingServiceServer>(MatchingServiceService, messages, `127.0.0.1:${port}`, {
      security,
    });
    return client
      .describeTaskQueue({ namespaceId: 'ns', request: { taskQueue: { name: 'q' } } }, { deadline: Date.now() + 5_000 })
      .finally(() => client.close());
  }

  const trusting = (identity?: string) =>
    channelSecurity(
      { rootCaFiles: [file('ca.pem')], serverName: '', disableHostVerification: false },
      {
        refreshMs: 60_000,
        logger,
        name: 'client',
        identity: identity ? { certFile: file(`${identity}.pem`), keyFile: file(`${identity}.key`) } : undefined,
      },
    );

  const serverTls = (certName: string, mutual: boolean): ServerTlsConfig => ({
    certFile: file(`${certName}.pem`),
    keyFile: file(`${certName}.key`),
    clientCaFiles: mutual ? [file('ca.pem')] : [],
    requireClientAuth: mutual,
  });

  it('serves TLS to a client that trusts the CA and refuses plaintext', async () => {
    const port = await serve(serverTls('server', false));
    const response = await call(port, trusting());
    expect(response.response?.pollers?.[0]?.identity).toBe('tls-owner');
    await expect(call(port, INSECURE_CHANNEL)).rejects.toMatchObject({ code: Code.UNAVAILABLE });
  });

  it('mutual TLS: a client certificate signed by the client CA is accepted, no certificate is refused', async () => {
    const port = await serve(serverTls('server', true));
    const response = await call(port, trusting('client'));
    expect(response.response?.pollers?.[0]?.identity).toBe('tls-owner');
    await expect(call(port, trusting())).rejects.toMatchObject({ code: Code.UNAVAILABLE });
  });

  it('checks the server name, which serverName overrides and disableHostVerification skips', async () => {
    const port = await serve(serverTls('server', false));
    const named = (serverName: string, disableHostVerification: boolean) =>
      channelSecurity(
        { rootCaFiles: [file('ca.pem')], serverName, disableHostVerification },
        { refreshMs: 60_000, logger, name: 'client' },
      );
    await expect(call(port, named('other.example', false))).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    await expect(call(port, named('localhost', false))).resolves.toBeDefined();
    await expect(call(port, named('other.example', true))).resolves.toBeDefined();
  });

  it('serves certificate files rewritten on disk to new connections, without a restart', async () => {
    const rotating = mkdtempSync(join(dir, 'rotating-'));
    copyFileSync(file('server.pem'), join(rotating, 'tls.crt'));
    copyFileSync(file('server.key'), join(rotating, 'tls.key'));
    const port = await serve({
      certFile: join(rotating, 'tls.crt'),
      keyFile: join(rotating, 'tls.key'),
      clientCaFiles: [],
      requireClientAuth: false,
    });
    const ca = readFileSync(file('ca.pem'));
    expect(await servedCommonName(port, ca)).toBe('server-1');
    copyFileSync(file('rotated.pem'), join(rotating, 'tls.crt'));
    copyFileSync(file('rotated.key'), join(rotating, 'tls.key'));
    const deadline = Date.now() + 10_000;
    while ((await servedCommonName(port, ca)) !== 'server-2') {
      if (Date.now() > deadline) throw new Error('the rotated certificate was never served');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The same server still answers calls.
    await expect(call(port, trusting())).resolves.toBeDefined();
  });
});

import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, defaultStoreTls } from './config.js';
import { storeTlsOptions, systemWorkerSdkTls, tlsRefreshIntervalMs } from './tls.js';

function files(contents: Record<string, string>): (name: string) => string {
  const dir = mkdtempSync(join(tmpdir(), 'tempora-tls-files-'));
  for (const [name, text] of Object.entries(contents)) writeFileSync(join(dir, name), text);
  return (name) => join(dir, name);
}

describe('storeTlsOptions', () => {
  it('is undefined while the store TLS is off', () => {
    expect(storeTlsOptions(defaultStoreTls(), 'x')).toBeUndefined();
  });

  it('maps the files, the server name and host verification onto tls.connect options', () => {
    const file = files({ 'ca.pem': 'CA', 'c.pem': 'CERT', 'c.key': 'KEY' });
    const options = storeTlsOptions(
      {
        enabled: true,
        caFile: file('ca.pem'),
        certFile: file('c.pem'),
        keyFile: file('c.key'),
        serverName: 'db.internal',
        enableHostVerification: true,
      },
      'persistence.cassandra.tls',
    );
    expect(options).toEqual({
      ca: Buffer.from('CA'),
      cert: Buffer.from('CERT'),
      key: Buffer.from('KEY'),
      servername: 'db.internal',
      rejectUnauthorized: true,
    });
  });

  it('without host verification still verifies the chain but not the name', () => {
    const options = storeTlsOptions({ ...defaultStoreTls(), enabled: true, enableHostVerification: false }, 'x');
    expect(options?.rejectUnauthorized).toBe(true);
    expect(options?.checkServerIdentity?.('any', {} as never)).toBeUndefined();
    expect(options?.ca).toBeUndefined();
  });

  it('names the key of a file it cannot read', () => {
    expect(() =>
      storeTlsOptions({ ...defaultStoreTls(), enabled: true, caFile: '/nonexistent/ca.pem' }, 'membership.redisTls'),
    ).toThrow('membership.redisTls.caFile /nonexistent/ca.pem');
  });
});

describe('systemWorkerSdkTls', () => {
  it('is undefined while the frontend serves plaintext', () => {
    expect(systemWorkerSdkTls(defaultConfig())).toBeUndefined();
  });

  it("gives the SDK the worker's client certificate and the CA and name it checks the frontend with", () => {
    const file = files({ 'ca.pem': 'CA', 'w.pem': 'CERT', 'w.key': 'KEY' });
    const config = defaultConfig();
    config.tls.frontend.server = { certFile: '/f.pem', keyFile: '/f.key', clientCaFiles: [], requireClientAuth: false };
    config.tls.systemWorker = {
      certFile: file('w.pem'),
      keyFile: file('w.key'),
      client: { serverName: 'frontend.tempora', disableHostVerification: false, rootCaFiles: [file('ca.pem')] },
    };
    expect(systemWorkerSdkTls(config)).toEqual({
      serverNameOverride: 'frontend.tempora',
      serverRootCACertificate: Buffer.from('CA\n'),
      clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') },
    });
  });
});

describe('tlsRefreshIntervalMs', () => {
  it('reads the Go duration', () => {
    const config = defaultConfig();
    expect(tlsRefreshIntervalMs(config)).toBe(60_000);
    config.tls.refreshInterval = '250ms';
    expect(tlsRefreshIntervalMs(config)).toBe(250);
  });
});

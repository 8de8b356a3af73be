// Certificates for TLS tests, made with openssl: a CA and leaf certificates for 127.0.0.1 and localhost. Exported as
// @tempora/common/certificates-testing for every package's tests; openssl must be on PATH.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { defaultStoreTls } from '../config.js';
import { storeTlsOptions } from '../tls.js';

export interface Certificates {
  dir: string;
  /** Path of a file in dir: `ca.pem`, `<leaf>.pem`, `<leaf>.key`. */
  file(name: string): string;
  read(name: string): Buffer;
}

/** A fresh directory with `ca.pem`/`ca.key` and, per leaf, `<name>.pem`/`<name>.key` signed by that CA. */
export function makeCertificates(
  leaves: [name: string, commonName: string][],
  caName = 'tempora-test-ca',
): Certificates {
  const dir = mkdtempSync(join(tmpdir(), 'tempora-certs-'));
  const ec = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';
  const lines = [`openssl req -x509 ${ec} -keyout ca.key -out ca.pem -days 2 -subj /CN=${caName}`];
  for (const [name, cn] of leaves) {
    lines.push(
      `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth,clientAuth\\nbasicConstraints=CA:FALSE\\n' > ${name}.ext`,
      `openssl req ${ec} -keyout ${name}.key -out ${name}.csr -subj /CN=${cn}`,
      `openssl x509 -req -in ${name}.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ${name}.ext -out ${name}.pem`,
    );
  }
  execFileSync('sh', ['-ec', lines.join('\n')], { cwd: dir, stdio: 'pipe' });
  const file = (name: string) => join(dir, name);
  return { dir, file, read: (name) => readFileSync(file(name)) };
}

/** Puts `from`'s `<leaf>.pem`/`<leaf>.key` in place as `target`'s `live.pem`/`live.key`: a rotation on disk. */
export function rotateLiveCertificate(target: Certificates, from: Certificates, leaf: string): void {
  copyFileSync(from.file(`${leaf}.pem`), target.file('live.pem'));
  copyFileSync(from.file(`${leaf}.key`), target.file('live.key'));
}

/** A store client's TLS options (storeTlsOptions) over `certs`' CA and its `live.pem`/`live.key`. */
export function liveStoreTls(certs: Certificates, where: string): ConnectionOptions {
  const tls = { ...defaultStoreTls(), enabled: true, caFile: certs.file('ca.pem') };
  return storeTlsOptions({ ...tls, certFile: certs.file('live.pem'), keyFile: certs.file('live.key') }, where)!;
}

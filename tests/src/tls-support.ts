// Certificates for the TLS tests, made with openssl: a CA and leaf certificates for 127.0.0.1 and localhost.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';

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

/** The common name of the certificate a new TLS connection to address is served (verified against ca). */
export function servedCommonName(address: string, ca: Buffer): Promise<string> {
  const [host = '', port = ''] = address.split(':');
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port), ca, ALPNProtocols: ['h2'] }, () => {
      const cn = socket.getPeerCertificate().subject.CN;
      socket.destroy();
      resolve(String(cn));
    });
    socket.on('error', reject);
  });
}

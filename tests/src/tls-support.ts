// TLS test helpers over the shared certificates (@tempora/common/certificates-testing).
import { connect } from 'node:tls';

export { makeCertificates, type Certificates } from '@tempora/common/certificates-testing';

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

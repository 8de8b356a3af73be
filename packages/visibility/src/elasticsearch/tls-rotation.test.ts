// Client certificates rotated on disk reach new Elasticsearch connections without a restart: an https endpoint that
// requires client certificates (a stand-in for Elasticsearch that answers as one) sees the common name of the
// certificate each connection presented.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { Client } from '@elastic/elasticsearch';
import {
  liveStoreTls,
  makeCertificates,
  rotateLiveCertificate,
  type Certificates,
} from '@tempora/common/certificates-testing';
import { elasticsearchClientOptions } from './index.js';

let certs: Certificates;
let server: Server;
let url: string;
const presented: string[] = [];

beforeAll(async () => {
  certs = makeCertificates([
    ['es', 'es-node'],
    ['client-1', 'tempora-client-1'],
    ['client-2', 'tempora-client-2'],
  ]);
  server = createServer(
    { cert: certs.read('es.pem'), key: certs.read('es.key'), ca: certs.read('ca.pem'), requestCert: true },
    (req, res) => {
      presented.push(String((req.socket as TLSSocket).getPeerCertificate().subject.CN));
      // One request per connection, so every request shows the certificate of a new connection.
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-elastic-product': 'Elasticsearch',
        connection: 'close',
      });
      res.end(JSON.stringify({ version: { number: '8.19.0' } }));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('Elasticsearch client TLS', () => {
  it('presents the client certificate on disk at each new connection', async () => {
    rotateLiveCertificate(certs, certs, 'client-1');
    const tls = liveStoreTls(certs, 'visibility.elasticsearch.tls');
    const client = new Client(elasticsearchClientOptions({ url, tls, maxRetries: 0 }));
    try {
      await client.info();
      rotateLiveCertificate(certs, certs, 'client-2');
      await client.info();
      expect(presented).toEqual(['tempora-client-1', 'tempora-client-2']);
    } finally {
      await client.close();
    }
  });
});

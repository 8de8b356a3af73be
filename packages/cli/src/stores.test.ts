// The stores' TLS settings as each driver receives them: cassandra-driver sslOptions, @elastic/elasticsearch tls,
// ioredis tls (all Node tls.connect options read from the configured files).
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, storeTlsOptions } from '@tempora/common';
import { redisConnectionOptions } from '@tempora/membership';
import { cassandraClientOptions } from '@tempora/persistence';
import { elasticsearchClientOptions } from '@tempora/visibility';
import { cassandraOptions, elasticsearchTarget } from './stores.js';

const dir = mkdtempSync(join(tmpdir(), 'tempora-store-tls-'));
for (const name of ['ca.pem', 'client.pem', 'client.key']) writeFileSync(join(dir, name), `PEM ${name}`);
const tls = {
  enabled: true,
  caFile: join(dir, 'ca.pem'),
  certFile: join(dir, 'client.pem'),
  keyFile: join(dir, 'client.key'),
  serverName: 'store.internal',
  enableHostVerification: true,
};
const expected = {
  ca: Buffer.from('PEM ca.pem'),
  cert: Buffer.from('PEM client.pem'),
  key: Buffer.from('PEM client.key'),
  servername: 'store.internal',
  rejectUnauthorized: true,
};

describe('store TLS', () => {
  it('is off by default for every store', () => {
    const config = defaultConfig();
    expect(cassandraClientOptions(cassandraOptions(config), true).sslOptions).toBeUndefined();
    expect(elasticsearchClientOptions(elasticsearchTarget(config)).agent).toBeUndefined();
    expect(redisConnectionOptions({ tls: storeTlsOptions(config.membership.redisTls, 'x') }).tls).toBeUndefined();
  });

  it('persistence.cassandra.tls becomes the driver sslOptions', () => {
    const config = defaultConfig();
    config.persistence.cassandra.tls = tls;
    const options = cassandraClientOptions(cassandraOptions(config), true);
    expect(options.sslOptions).toEqual(expected);
    expect(options.contactPoints).toEqual(['127.0.0.1']);
  });

  it('visibility.elasticsearch.tls becomes the options of the connector of every new client connection', () => {
    const config = defaultConfig();
    config.visibility.elasticsearch.url = 'https://es.internal:9200';
    config.visibility.elasticsearch.tls = tls;
    expect(elasticsearchTarget(config).tls).toEqual(expected);
    const options = elasticsearchClientOptions(elasticsearchTarget(config));
    expect(options.node).toBe('https://es.internal:9200');
    expect(typeof (options.agent as { connect?: unknown }).connect).toBe('function');
  });

  it('membership.redisTls becomes the ioredis tls', () => {
    const config = defaultConfig();
    config.membership.redisTls = { ...tls, enableHostVerification: false };
    const options = redisConnectionOptions({ tls: storeTlsOptions(config.membership.redisTls, 'membership.redisTls') });
    expect(options.tls).toMatchObject({ ca: expected.ca, cert: expected.cert, rejectUnauthorized: true });
    expect(options.tls?.checkServerIdentity?.('x', {} as never)).toBeUndefined();
  });
});

import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, defaultConfig, defaultStoreTls, loadConfig } from './config.js';

function configFile(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tempora-config-')), 'tempora.yaml');
  writeFileSync(file, yaml);
  return file;
}

describe('loadConfig', () => {
  it('defaults to a loopback cluster on SQLite', () => {
    expect(loadConfig(undefined, {})).toEqual(defaultConfig());
  });

  it('merges YAML over the defaults', () => {
    const config = loadConfig(
      configFile(
        'numHistoryShards: 16\nservices:\n  history:\n    grpcPort: 8234\npersistence:\n  sqlite:\n    file: /tmp/x.db\n',
      ),
      {},
    );
    expect(config.numHistoryShards).toBe(16);
    expect(config.services.history.grpcPort).toBe(8234);
    expect(config.services.frontend.grpcPort).toBe(7233);
    expect(config.persistence.sqlite.file).toBe('/tmp/x.db');
  });

  it('applies TEMPORA_ environment overrides on top of the file', () => {
    const config = loadConfig(configFile('numHistoryShards: 16\n'), {
      TEMPORA_NUM_HISTORY_SHARDS: '32',
      TEMPORA_SERVICES__MATCHING__GRPC_PORT: '9235',
      TEMPORA_NAMESPACES: 'default, orders',
      TEMPORA_MEMBERSHIP__REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(config.numHistoryShards).toBe(32);
    expect(config.services.matching.grpcPort).toBe(9235);
    expect(config.namespaces).toEqual(['default', 'orders']);
    expect(config.membership.redisUrl).toBe('redis://127.0.0.1:6379');
  });

  it.each([
    ['an unknown key', 'bogus: 1\n', 'unknown config key bogus'],
    ['a nested unknown key', 'services:\n  frontend:\n    port: 1\n', 'services.frontend.port'],
    ['a wrongly typed value', 'numHistoryShards: many\n', 'numHistoryShards must be a number'],
    ['an out-of-range shard count', 'numHistoryShards: 0\n', 'numHistoryShards must be an integer'],
    ['an unknown driver', 'persistence:\n  driver: mysql\n', 'persistence.driver'],
    ['a bad port', 'services:\n  worker:\n    grpcPort: 70000\n', 'services.worker.grpcPort'],
    [
      'an unknown visibility driver',
      'visibility:\n  driver: mysql\n',
      "visibility.driver must be 'sqlite' or 'elasticsearch'",
    ],
    [
      'in-memory SQLite visibility in a cluster on Cassandra',
      'persistence:\n  driver: cassandra\nmembership:\n  redisUrl: redis://127.0.0.1:6379\n',
      'visibility.sqlite.file is required in cluster mode on Cassandra',
    ],
  ])('rejects %s, naming it', (_label, yaml, message) => {
    expect(() => loadConfig(configFile(yaml), {})).toThrow(ConfigError);
    expect(() => loadConfig(configFile(yaml), {})).toThrow(message);
  });

  it('selects Elasticsearch visibility from the file or the environment', () => {
    const config = loadConfig(configFile('visibility:\n  driver: elasticsearch\n'), {
      TEMPORA_VISIBILITY__ELASTICSEARCH__INDEX: 'vis_prod',
    });
    expect(config.visibility).toEqual({
      driver: 'elasticsearch',
      sqlite: { file: '' },
      elasticsearch: { url: 'http://127.0.0.1:9200', index: 'vis_prod', tls: defaultStoreTls() },
    });
  });

  it('sets the log level by log.level, TEMPORA_LOG__LEVEL, or the documented alias TEMPORA_LOG_LEVEL', () => {
    expect(loadConfig(configFile('log:\n  level: debug\n'), {}).log.level).toBe('debug');
    expect(loadConfig(undefined, { TEMPORA_LOG__LEVEL: 'warn' }).log.level).toBe('warn');
    expect(loadConfig(undefined, { TEMPORA_LOG_LEVEL: 'error' }).log.level).toBe('error');
    // Both set: the canonical spelling wins.
    expect(loadConfig(undefined, { TEMPORA_LOG_LEVEL: 'error', TEMPORA_LOG__LEVEL: 'debug' }).log.level).toBe('debug');
    expect(() => loadConfig(undefined, { TEMPORA_LOG_LEVEL: 'loud' })).toThrow(/log.level must be one of/);
    expect(loadConfig(undefined, { TEMPORA_LOG__SLOW_REQUEST_MS: '250' }).log.slowRequestMs).toBe(250);
  });

  it('validates metrics ports', () => {
    expect(
      loadConfig(undefined, { TEMPORA_SERVICES__HISTORY__METRICS_PORT: '9091' }).services.history.metricsPort,
    ).toBe(9091);
    expect(() => loadConfig(undefined, { TEMPORA_SERVICES__HISTORY__METRICS_PORT: '70000' })).toThrow(
      /services.history.metricsPort must be a port number/,
    );
  });

  it('reads the batch limits and refuses a zero rate, concurrency, page size or job count', () => {
    const config = loadConfig(configFile('limits:\n  batch:\n    rps: 200\n'), {
      TEMPORA_LIMITS__BATCH__PAGE_SIZE: '50',
    });
    expect(config.limits.batch).toEqual({ maxConcurrentPerNamespace: 1, rps: 200, concurrency: 5, pageSize: 50 });
    for (const key of ['RPS', 'CONCURRENCY', 'PAGE_SIZE', 'MAX_CONCURRENT_PER_NAMESPACE']) {
      expect(() => loadConfig(undefined, { [`TEMPORA_LIMITS__BATCH__${key}`]: '0' })).toThrow(
        /config limits\.batch\.\w+ must be >= 1/,
      );
    }
  });

  it('rejects an environment override that names no key', () => {
    expect(() => loadConfig(undefined, { TEMPORA_NOPE: '1' })).toThrow('TEMPORA_NOPE');
  });

  it("leaves the test suites' TEMPORA_TEST_ variables alone", () => {
    const config = loadConfig(undefined, { TEMPORA_TEST_CASSANDRA: '127.0.0.1:9042', TEMPORA_TEST_PERSISTENCE: 'x' });
    expect(config).toEqual(loadConfig(undefined, {}));
  });

  it('selects Cassandra with its connection from the file and the environment', () => {
    const config = loadConfig(
      configFile('persistence:\n  driver: cassandra\n  cassandra:\n    keyspace: orders\n    consistency: ONE\n'),
      { TEMPORA_PERSISTENCE__CASSANDRA__CONTACT_POINTS: '10.0.0.1:9042, 10.0.0.2' },
    );
    expect(config.persistence.driver).toBe('cassandra');
    expect(config.persistence.cassandra).toMatchObject({
      keyspace: 'orders',
      consistency: 'ONE',
      serialConsistency: 'LOCAL_SERIAL',
      contactPoints: ['10.0.0.1:9042', '10.0.0.2'],
    });
  });

  it("ignores the test harness's TEMPORA_TEST_ variables", () => {
    expect(loadConfig(undefined, { TEMPORA_TEST_REDIS: 'redis://127.0.0.1:6479' })).toEqual(defaultConfig());
  });

  it("reads upstream's global.tls shape from the file and the environment", () => {
    const config = loadConfig(
      configFile(
        [
          'tls:',
          '  refreshInterval: 30s',
          '  frontend:',
          '    server:',
          '      certFile: /tls/frontend.pem',
          '      keyFile: /tls/frontend.key',
          '      clientCaFiles: [/tls/clients-ca.pem]',
          '      requireClientAuth: true',
          '  internode:',
          '    client:',
          '      serverName: internode.tempora',
          '      rootCaFiles: [/tls/ca.pem]',
          'persistence:',
          '  cassandra:',
          '    tls:',
          '      enabled: true',
          '      caFile: /tls/cassandra-ca.pem',
          '',
        ].join('\n'),
      ),
      {
        TEMPORA_TLS__INTERNODE__SERVER__CERT_FILE: '/tls/node.pem',
        TEMPORA_TLS__INTERNODE__SERVER__KEY_FILE: '/tls/node.key',
        TEMPORA_TLS__INTERNODE__CLIENT__DISABLE_HOST_VERIFICATION: 'true',
        TEMPORA_MEMBERSHIP__REDIS_TLS__ENABLED: 'true',
      },
    );
    expect(config.tls.refreshInterval).toBe('30s');
    expect(config.tls.frontend.server).toEqual({
      certFile: '/tls/frontend.pem',
      keyFile: '/tls/frontend.key',
      clientCaFiles: ['/tls/clients-ca.pem'],
      requireClientAuth: true,
    });
    expect(config.tls.internode).toEqual({
      server: { certFile: '/tls/node.pem', keyFile: '/tls/node.key', clientCaFiles: [], requireClientAuth: false },
      client: { serverName: 'internode.tempora', disableHostVerification: true, rootCaFiles: ['/tls/ca.pem'] },
    });
    expect(config.persistence.cassandra.tls).toMatchObject({ enabled: true, caFile: '/tls/cassandra-ca.pem' });
    expect(config.membership.redisTls.enabled).toBe(true);
  });

  it.each([
    [
      'a certificate without its key',
      'tls:\n  frontend:\n    server:\n      certFile: /a.pem\n',
      'keyFile must be set together',
    ],
    [
      'client auth without client CAs',
      'tls:\n  frontend:\n    server:\n      certFile: /a.pem\n      keyFile: /a.key\n      requireClientAuth: true\n',
      'requireClientAuth needs tls.frontend.server.clientCaFiles',
    ],
    [
      'client CAs without a certificate',
      'tls:\n  internode:\n    server:\n      clientCaFiles: [/ca.pem]\n',
      'need tls.internode.server.certFile',
    ],
    ['a bad refresh interval', 'tls:\n  refreshInterval: soon\n', 'tls.refreshInterval'],
    ['an unknown TLS key', 'tls:\n  frontend:\n    server:\n      certData: x\n', 'tls.frontend.server.certData'],
    [
      'a store key without its certificate',
      'membership:\n  redisTls:\n    keyFile: /k\n',
      'membership.redisTls.certFile',
    ],
  ])('rejects %s', (_label, yaml, message) => {
    expect(() => loadConfig(configFile(yaml), {})).toThrow(message);
  });
});

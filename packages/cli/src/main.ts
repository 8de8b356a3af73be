#!/usr/bin/env node
// The `tempora` command.
import { Command, InvalidArgumentError, Option } from 'commander';
import { isRpcError } from '@tempora/rpc';
import {
  ConfigError,
  SERVICE_NAMES,
  TEMPORA_VERSION,
  createLogger,
  envLogLevel,
  loadConfig,
  parseGoDurationNanos,
  type ServiceName,
} from '@tempora/common';
import { setupElasticsearchSchemaAt } from '@tempora/visibility';
import { PersistenceError, setupCassandraSchema, updateCassandraSchema } from '@tempora/persistence';
import { describeMembership, describeShards, reshard, type AdminConnection } from './admin.js';
import { startDevServer } from './dev-server.js';
import { startProcess, type RunningProcess } from './process.js';
import { cassandraOptions, elasticsearchTarget } from './stores.js';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('must be a port number (0-65535)');
  return port;
}

/** A Go duration of whole seconds, at least 1s (zero retention would read as "forever"). */
function parseRetentionSeconds(value: string): number {
  const nanos = parseGoDurationNanos(value);
  if (nanos === undefined || nanos < 1e9 || nanos % 1e9 !== 0)
    throw new InvalidArgumentError('must be a duration of whole seconds, at least 1s (e.g. 10s, 24h)');
  return nanos / 1e9;
}

function parseServices(value: string): ServiceName[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!names.length) throw new InvalidArgumentError(`must list one or more of ${SERVICE_NAMES.join(', ')}`);
  for (const name of names) {
    if (!(SERVICE_NAMES as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(`unknown service "${name}"; expected ${SERVICE_NAMES.join(', ')}`);
    }
  }
  return [...new Set(names)] as ServiceName[];
}

function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('must be a positive integer');
  return number;
}

function parseList(value: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!items.length) throw new InvalidArgumentError('must list one or more values');
  return items;
}

/** Stops on SIGINT/SIGTERM; a second signal exits at once. */
function stopOnSignals(running: Pick<RunningProcess, 'stop'>): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(130);
    signalled = true;
    process.stderr.write(`received ${signal}, shutting down\n`);
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`shutdown failed: ${(err as Error).stack ?? String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

interface DevOptions {
  ip: string;
  port: number;
  persistence: 'sqlite' | 'cassandra';
  dbFile?: string;
  cassandraHosts: string[];
  cassandraKeyspace: string;
  cassandraDatacenter: string;
  namespace: string[];
  minRetention?: number;
  logLevel?: string;
  metricsPort: number;
  httpPort?: number;
  visibility: 'sqlite' | 'elasticsearch';
  esUrl: string;
  esIndex: string;
  tlsCertPath?: string;
  tlsKeyPath?: string;
  tlsClientCaPath: string[];
  tlsRequireClientAuth: boolean;
  uiPort?: number;
}

/** start-dev's --tls-* flags as the frontend's tls.frontend.server. */
function devTls(opts: DevOptions) {
  if (!opts.tlsCertPath && !opts.tlsKeyPath) {
    if (opts.tlsClientCaPath.length || opts.tlsRequireClientAuth) {
      throw new ConfigError(
        '--tls-client-ca-path and --tls-require-client-auth need --tls-cert-path and --tls-key-path',
      );
    }
    return undefined;
  }
  if (!opts.tlsCertPath || !opts.tlsKeyPath) throw new ConfigError('--tls-cert-path and --tls-key-path go together');
  if (opts.tlsRequireClientAuth && !opts.tlsClientCaPath.length) {
    throw new ConfigError('--tls-require-client-auth needs --tls-client-ca-path');
  }
  return {
    certFile: opts.tlsCertPath,
    keyFile: opts.tlsKeyPath,
    clientCaFiles: opts.tlsClientCaPath,
    requireClientAuth: opts.tlsRequireClientAuth,
  };
}

const program = new Command('tempora')
  .description('Tempora: a Temporal-compatible durable-execution cluster')
  .version(TEMPORA_VERSION);

program
  .command('start-dev')
  .description('run frontend, history, matching and worker in one process (SQLite embedded, or Cassandra)')
  .option('--ip <address>', 'address to bind', '127.0.0.1')
  .option('--port <port>', 'frontend gRPC port', parsePort, 7233)
  .addOption(new Option('--persistence <store>', 'the store').choices(['sqlite', 'cassandra']).default('sqlite'))
  .option('--db-file <path>', 'SQLite database file (in-memory when absent)')
  .option('--cassandra-hosts <list>', 'Cassandra contact points, host or host:port, comma-separated', parseList, [
    '127.0.0.1',
  ])
  .option('--cassandra-keyspace <name>', 'Cassandra keyspace (created and migrated at start)', 'tempora')
  .option('--cassandra-datacenter <name>', "Cassandra driver's local datacenter", 'datacenter1')
  .option('--namespace <name...>', 'extra namespaces to register at start (default is always registered)', [])
  .option(
    '--min-retention <duration>',
    'shortest namespace retention accepted (limits.retention.minimumSeconds; default 24h)',
    parseRetentionSeconds,
  )
  .addOption(
    new Option(
      '--log-level <level>',
      'log level (default: TEMPORA_LOG__LEVEL or TEMPORA_LOG_LEVEL, else info)',
    ).choices(['trace', 'debug', 'info', 'warn', 'error', 'silent']),
  )
  .option('--metrics-port <port>', 'serve Prometheus /metrics on this port (0 = off)', parsePort, 0)
  .option(
    '--http-port <port>',
    "the frontend's HTTP API port (default: a free port, as upstream's; 0 = off)",
    parsePort,
  )
  .addOption(
    new Option('--visibility <store>', 'visibility store').choices(['sqlite', 'elasticsearch']).default('sqlite'),
  )
  .option('--es-url <url>', 'Elasticsearch URL for --visibility elasticsearch', 'http://127.0.0.1:9200')
  .option('--es-index <name>', 'Elasticsearch index for --visibility elasticsearch', 'tempora_visibility_dev')
  .option('--tls-cert-path <file>', "frontend TLS: the server's PEM certificate (chain); re-read when it changes")
  .option('--tls-key-path <file>', "frontend TLS: the certificate's PEM private key")
  .option('--tls-client-ca-path <file...>', 'frontend TLS: PEM CAs client certificates are verified against', [])
  .option('--tls-require-client-auth', 'frontend TLS: refuse clients without a certificate (mutual TLS)', false)
  .option(
    '--ui-port <port>',
    'run the official Web UI on this port (installed by deploy/local/ui.sh install, or TEMPORA_UI_SERVER)',
    parsePort,
  )
  .action(async (opts: DevOptions) => {
    const logger = createLogger(opts.logLevel ?? envLogLevel() ?? 'info');
    const tls = devTls(opts);
    const server = await startDevServer({
      ip: opts.ip,
      port: opts.port,
      httpPort: opts.httpPort,
      metricsPort: opts.metricsPort,
      persistence: opts.persistence,
      dbFile: opts.dbFile,
      cassandra: {
        contactPoints: opts.cassandraHosts,
        keyspace: opts.cassandraKeyspace,
        localDataCenter: opts.cassandraDatacenter,
      },
      namespaces: opts.namespace,
      minRetentionSeconds: opts.minRetention,
      tls,
      logger,
      ui: opts.uiPort === undefined ? undefined : { port: opts.uiPort },
      visibility:
        opts.visibility === 'elasticsearch'
          ? { driver: 'elasticsearch', url: opts.esUrl, index: opts.esIndex }
          : { driver: 'sqlite' },
    });
    const store =
      opts.persistence === 'cassandra'
        ? `cassandra keyspace ${opts.cassandraKeyspace} at ${opts.cassandraHosts.join(',')}`
        : (opts.dbFile ?? 'in memory');
    // Printed whatever the log level: scripts and tests wait for this line.
    const security = tls ? `, TLS on${tls.requireClientAuth ? ', client certificate required' : ''}` : '';
    const metrics = server.metricsPorts.length
      ? `, metrics at http://${opts.ip}:${server.metricsPorts[0]}/metrics`
      : '';
    const http = server.httpAddress ? `, HTTP API at http${tls ? 's' : ''}://${server.httpAddress}` : '';
    process.stderr.write(
      `Tempora dev server ready at ${server.address} (store: ${store}${security})${http}${metrics}\n`,
    );
    if (server.webUi) {
      const ui = server.webUi;
      process.stderr.write('running' in ui ? `Web UI at ${ui.running.url}\n` : `${ui.notInstalled}\n`);
    }
    stopOnSignals(server);
  });

program
  .command('start')
  .description('run a subset of the services (cluster mode) from a config file')
  .option('--config <file>', 'YAML config file (TEMPORA_* environment variables override it)')
  .option('--services <list>', `comma-separated services: ${SERVICE_NAMES.join(',')}`, parseServices, [
    ...SERVICE_NAMES,
  ])
  .option('--grpc-port <port>', "the service's gRPC port, overriding the config (one service only)", parsePort)
  .action(async (opts: { config?: string; services: ServiceName[]; grpcPort?: number }) => {
    const config = loadConfig(opts.config);
    if (opts.grpcPort !== undefined) {
      if (opts.services.length !== 1) throw new ConfigError('--grpc-port needs exactly one service in --services');
      config.services[opts.services[0]!].grpcPort = opts.grpcPort;
    }
    const logger = createLogger(config.log.level);
    const running = await startProcess({ config, services: opts.services, logger });
    process.stderr.write(
      `Tempora started: ${opts.services.map((s) => `${s}:${running.ports[s] ?? 'in-process'}`).join(' ')}\n`,
    );
    stopOnSignals(running);
    // SIGHUP re-reads the config file and applies its rate limits; other keys need a restart.
    process.on('SIGHUP', () => {
      try {
        running.reloadLimits(loadConfig(opts.config).limits);
      } catch (err) {
        logger.error({ err: (err as Error).message }, 'config reload failed; keeping the limits in force');
      }
    });
  });

const schema = program.command('schema').description('create and migrate a store schema');

schema
  .command('elasticsearch')
  .description('create the visibility index template and index (idempotent; the store also does it when it opens)')
  .command('setup')
  .description("the index named by the config's visibility.elasticsearch")
  .option('--config <file>', 'YAML config file (TEMPORA_* environment variables override it)')
  .option('--es-url <url>', 'Elasticsearch URL (overrides the config)')
  .option('--es-index <name>', 'index name (overrides the config)')
  .action(async (opts: { config?: string; esUrl?: string; esIndex?: string }) => {
    const { url, index, tls } = elasticsearchTarget(loadConfig(opts.config));
    const target = { url: opts.esUrl ?? url, index: opts.esIndex ?? index, tls };
    await setupElasticsearchSchemaAt(target);
    process.stderr.write(`visibility schema ready: ${target.url} index ${target.index}\n`);
  });
const cassandraSchema = schema
  .command('cassandra')
  .description("the Cassandra keyspace named by the config's persistence.cassandra")
  .option('--config <file>', 'YAML config file (TEMPORA_* environment variables override it)')
  .option('--hosts <list>', 'contact points, host or host:port, comma-separated (overrides the config)', parseList)
  .option('--keyspace <name>', 'keyspace (overrides the config)');

interface SchemaConnectionOptions {
  config?: string;
  hosts?: string[];
  keyspace?: string;
}

function schemaConnection(opts: SchemaConnectionOptions) {
  const options = cassandraOptions(loadConfig(opts.config));
  return {
    ...options,
    contactPoints: opts.hosts ?? options.contactPoints,
    keyspace: opts.keyspace ?? options.keyspace,
  };
}

function reportMigrations(keyspace: string, applied: number[]): void {
  process.stdout.write(
    applied.length
      ? `keyspace ${keyspace}: applied schema versions ${applied.join(', ')}\n`
      : `keyspace ${keyspace}: schema already up to date\n`,
  );
}

cassandraSchema
  .command('setup')
  .description('create the keyspace when absent, then apply every pending migration (idempotent)')
  .option('--replication-factor <n>', 'copies of each row', parsePositiveInteger, 1)
  .option('--datacenter <name>', 'use NetworkTopologyStrategy with the replication factor in this datacenter')
  .action(async (opts: { replicationFactor: number; datacenter?: string }, command: Command) => {
    const connection = schemaConnection(command.optsWithGlobals<SchemaConnectionOptions>());
    const applied = await setupCassandraSchema(connection, {
      replicationFactor: opts.replicationFactor,
      datacenter: opts.datacenter,
    });
    reportMigrations(connection.keyspace, applied);
  });

cassandraSchema
  .command('update')
  .description('apply the migrations the keyspace lacks (idempotent)')
  .action(async (_opts: unknown, command: Command) => {
    const connection = schemaConnection(command.optsWithGlobals<SchemaConnectionOptions>());
    reportMigrations(connection.keyspace, await updateCassandraSchema(connection));
  });

const admin = program
  .command('admin')
  .description("inspect a running cluster through its frontend's admin API")
  .option('--address <host:port>', 'frontend address', '127.0.0.1:7233')
  .option('--tls-ca-path <file>', "PEM CA to verify the frontend's certificate (turns TLS on)")
  .option('--tls-cert-path <file>', 'PEM client certificate for mutual TLS (turns TLS on)')
  .option('--tls-key-path <file>', "the client certificate's PEM private key")
  .option('--tls-server-name <name>', 'server name to verify the certificate against (turns TLS on)')
  .option('--tls-disable-host-verification', "don't verify the certificate's host name (turns TLS on)")
  .option('--api-key <key>', 'sent as "authorization: Bearer <key>" (admin calls need system:admin)');
admin
  .command('membership')
  .description('list the members of every service ring')
  .action(async (_opts: unknown, command: Command) => {
    process.stdout.write(await describeMembership(command.optsWithGlobals<AdminConnection>()));
  });
admin
  .command('shards')
  .description('list history shards with their owner on the ring and in the store')
  .action(async (_opts: unknown, command: Command) => {
    process.stdout.write(await describeShards(command.optsWithGlobals<AdminConnection>()));
  });
admin
  .command('reshard')
  .description(
    'change the number of history shards of the running cluster to a multiple of the current one; ' +
      'run it again to follow a reshard in progress',
  )
  .requiredOption('--shards <n>', 'the new history shard count', parsePositiveInteger)
  .option('--no-wait', 'return once the reshard is recorded instead of following it to the end')
  .action(async (opts: { shards: number; wait: boolean }, command: Command) => {
    await reshard(command.optsWithGlobals<AdminConnection>(), opts, (line) => process.stdout.write(`${line}\n`));
  });

// pnpm 10 passes the `--` of `pnpm dev -- --flag` through to the script; what follows it are still start-dev's flags.
const argv = process.argv.filter((arg, i) => !(arg === '--' && i === 3 && process.argv[2] === 'start-dev'));
program.parseAsync(argv).catch((err: unknown) => {
  const known = err instanceof ConfigError || err instanceof PersistenceError || isRpcError(err);
  const message = known ? err.message : ((err as Error).stack ?? String(err));
  process.stderr.write(`tempora: ${message}\n`);
  process.exit(1);
});

#!/usr/bin/env node
// The `tempora` command.
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, SERVICE_NAMES, TEMPORA_VERSION, createLogger, loadConfig, type ServiceName } from '@tempora/common';
import { setupElasticsearchSchemaAt } from '@tempora/visibility';
import { startDevServer } from './dev-server.js';
import { startProcess, type RunningProcess } from './process.js';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return port;
}

function parseServices(value: string): ServiceName[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (!names.length) throw new InvalidArgumentError(`must list one or more of ${SERVICE_NAMES.join(', ')}`);
  for (const name of names) {
    if (!(SERVICE_NAMES as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(`unknown service "${name}"; expected ${SERVICE_NAMES.join(', ')}`);
    }
  }
  return [...new Set(names)] as ServiceName[];
}

/** Stops on SIGINT/SIGTERM; a second signal exits at once. */
function stopOnSignals(running: RunningProcess): void {
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
  dbFile?: string;
  namespace: string[];
  logLevel: 'info';
  visibility: 'sqlite' | 'elasticsearch';
  esUrl: string;
  esIndex: string;
}

const program = new Command('tempora')
  .description('Tempora: a Temporal-compatible durable-execution cluster')
  .version(TEMPORA_VERSION);

program
  .command('start-dev')
  .description('run frontend, history, matching and worker in one process on the embedded SQLite store')
  .option('--ip <address>', 'address to bind', '127.0.0.1')
  .option('--port <port>', 'frontend gRPC port', parsePort, 7233)
  .option('--db-file <path>', 'SQLite database file (in-memory when absent)')
  .option('--namespace <name...>', 'extra namespaces to register at start (default is always registered)', [])
  .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
  .addOption(new Option('--visibility <store>', 'visibility store').choices(['sqlite', 'elasticsearch']).default('sqlite'))
  .option('--es-url <url>', 'Elasticsearch URL for --visibility elasticsearch', 'http://127.0.0.1:9200')
  .option('--es-index <name>', 'Elasticsearch index for --visibility elasticsearch', 'tempora_visibility_dev')
  .action(async (opts: DevOptions) => {
    const logger = createLogger(opts.logLevel);
    const server = await startDevServer({
      ip: opts.ip,
      port: opts.port,
      dbFile: opts.dbFile,
      namespaces: opts.namespace,
      logger,
      visibility: opts.visibility === 'elasticsearch' ? { driver: 'elasticsearch', url: opts.esUrl, index: opts.esIndex } : { driver: 'sqlite' },
    });
    // Printed whatever the log level: scripts and tests wait for this line.
    process.stderr.write(`Tempora dev server ready at ${server.address} (store: ${opts.dbFile ?? 'in memory'})\n`);
    stopOnSignals(server);
  });

program
  .command('start')
  .description('run a subset of the services (cluster mode) from a config file')
  .option('--config <file>', 'YAML config file (TEMPORA_* environment variables override it)')
  .option('--services <list>', `comma-separated services: ${SERVICE_NAMES.join(',')}`, parseServices, [...SERVICE_NAMES])
  .action(async (opts: { config?: string; services: ServiceName[] }) => {
    const config = loadConfig(opts.config);
    const logger = createLogger(config.log.level);
    const running = await startProcess({ config, services: opts.services, logger });
    process.stderr.write(`Tempora started: ${opts.services.map((s) => `${s}:${running.ports[s] ?? 'in-process'}`).join(' ')}\n`);
    stopOnSignals(running);
  });

program
  .command('setup-schema')
  .description('create the Elasticsearch visibility index template and index (idempotent; stores also run it at start)')
  .option('--config <file>', 'YAML config file (visibility.elasticsearch.url and .index)')
  .option('--es-url <url>', 'Elasticsearch URL (overrides the config)')
  .option('--es-index <name>', 'index name (overrides the config)')
  .action(async (opts: { config?: string; esUrl?: string; esIndex?: string }) => {
    const { url, index } = loadConfig(opts.config).visibility.elasticsearch;
    const target = { url: opts.esUrl ?? url, index: opts.esIndex ?? index };
    await setupElasticsearchSchemaAt(target);
    process.stderr.write(`visibility schema ready: ${target.url} index ${target.index}\n`);
  });

program.parseAsync().catch((err: unknown) => {
  const message = err instanceof ConfigError ? err.message : ((err as Error).stack ?? String(err));
  process.stderr.write(`tempora: ${message}\n`);
  process.exit(1);
});

// TLS settings read from certificate files: store client options and the worker service's SDK connection. The
// gRPC servers and internal clients (packages/rpc) re-read their files when they change, and so do the store clients'
// options (storeTlsOptions); the worker's SDK connection reads them per connection.
import { readFileSync, statSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError, type ServerTlsConfig, type StoreTlsConfig, type TemporaConfig } from './config.js';
import { parseGoDurationNanos } from './duration.js';

/** tls.refreshInterval in ms. */
export function tlsRefreshIntervalMs(config: TemporaConfig): number {
  return Math.max(1, Math.round((parseGoDurationNanos(config.tls.refreshInterval) ?? 60e9) / 1e6));
}

/** Whether a listener of this group serves TLS. */
export function serverTlsEnabled(server: ServerTlsConfig): boolean {
  return Boolean(server.certFile);
}

/** PEM files joined into one bundle (a file without a final newline does not run into the next). */
export function concatPem(contents: Buffer[]): Buffer {
  return Buffer.concat(contents.flatMap((pem) => [pem, Buffer.from('\n')]));
}

function readPem(file: string, where: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(`cannot read ${where} ${file}: ${(err as Error).message}`);
  }
}

/** A PEM file re-read when its size or modification time changes; a failed re-read keeps the last good content. */
class PemFile {
  private content: Buffer;
  private stamp: string;

  constructor(
    private readonly file: string,
    where: string,
  ) {
    this.stamp = this.statStamp() ?? '';
    this.content = readPem(file, where);
  }

  current(): Buffer {
    const stamp = this.statStamp();
    if (stamp && stamp !== this.stamp) {
      try {
        this.content = readFileSync(this.file);
        this.stamp = stamp;
      } catch {
        // Mid-rotation (file replaced while read): the next connection tries again.
      }
    }
    return this.content;
  }

  private statStamp(): string | undefined {
    try {
      const { size, mtimeMs, ino } = statSync(this.file);
      return `${size}:${mtimeMs}:${ino}`;
    } catch {
      return undefined;
    }
  }
}

/**
 * Node `tls.connect` options for a store client (Cassandra, Elasticsearch, Redis), or undefined when TLS is off.
 * `ca`, `cert` and `key` are getters over their files, re-read when a file changes: the drivers copy these options
 * for every new connection, so rotated certificates reach new connections without a restart.
 */
export function storeTlsOptions(tls: StoreTlsConfig, where: string): ConnectionOptions | undefined {
  if (!tls.enabled) return undefined;
  const options: ConnectionOptions = {
    ...(tls.serverName ? { servername: tls.serverName } : {}),
    // The chain is always verified; only the name check can be turned off.
    rejectUnauthorized: true,
    ...(tls.enableHostVerification ? {} : { checkServerIdentity: () => undefined }),
  };
  const files = { ca: tls.caFile, cert: tls.certFile, key: tls.keyFile };
  for (const [key, file] of Object.entries(files)) {
    if (!file) continue;
    const pem = new PemFile(file, `${where}.${key}File`);
    Object.defineProperty(options, key, { get: () => pem.current(), enumerable: true });
  }
  return options;
}

/** The official SDKs' TLS options (`Connection.connect({ tls })`, `NativeConnection.connect({ tls })`). */
export interface SdkTlsConfig {
  serverNameOverride?: string;
  serverRootCACertificate?: Buffer;
  clientCertPair?: { crt: Buffer; key: Buffer };
}

/**
 * How the worker service's SDK connection reaches the frontend: undefined when the frontend serves plaintext,
 * else tls.systemWorker's client certificate (needed when the frontend requires client auth) and the CA and name
 * it checks the frontend's certificate with. Files are read when called: call it for every new connection.
 */
export function systemWorkerSdkTls(config: TemporaConfig): SdkTlsConfig | undefined {
  if (!serverTlsEnabled(config.tls.frontend.server)) return undefined;
  const worker = config.tls.systemWorker;
  const roots = worker.client.rootCaFiles.map((file) => readPem(file, 'tls.systemWorker.client.rootCaFiles'));
  return {
    ...(worker.client.serverName ? { serverNameOverride: worker.client.serverName } : {}),
    ...(roots.length ? { serverRootCACertificate: concatPem(roots) } : {}),
    ...(worker.certFile
      ? {
          clientCertPair: {
            crt: readPem(worker.certFile, 'tls.systemWorker.certFile'),
            key: readPem(worker.keyFile, 'tls.systemWorker.keyFile'),
          },
        }
      : {}),
  };
}

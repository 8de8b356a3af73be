// TLS for the gRPC servers and internal clients, from certificate files that are re-read when they change.
// grpc-js applies a server credential's new secure context to its listening sockets (Http2SecureServer
// setSecureContext), so every connection accepted after a change is served with the new certificate; clients use
// grpc-js's certificate-provider credentials, so every connection a channel opens after a change uses the new files.
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { createSecureContext, rootCertificates, type SecureContextOptions } from 'node:tls';
import { ServerCredentials, credentials, experimental, type ChannelCredentials } from '@grpc/grpc-js';
import { ConfigError, concatPem, type ClientTlsConfig, type Logger, type ServerTlsConfig } from '@tempora/common';

/** After a file event, wait this long for the other files of a rotation (cert, then key) to be written. */
const SETTLE_MS = 100;

export interface CertificateFilesOptions {
  /** CA bundle files (client CAs for a server, root CAs for a client); empty = none (server) / system roots (client). */
  caFiles?: string[];
  certFile?: string;
  keyFile?: string;
  /** Poll interval; a file watch on the files' directories notices most changes sooner. */
  refreshMs: number;
  logger: Logger;
  /** Names the files in logs, e.g. "tls.frontend.server". */
  name: string;
}

interface Loaded {
  ca: Buffer | undefined;
  cert: Buffer | undefined;
  key: Buffer | undefined;
}

/**
 * A set of PEM files (CA bundle, certificate and key), read at construction (errors are thrown: a process does not
 * start with unreadable or mismatched files) and, while anything listens, re-read on every file event in their
 * directories (Kubernetes swaps a Secret volume's `..data` symlink) and every refreshMs. A change that does not
 * load (a half-written rotation, a key that does not match the certificate) is logged and the last good files stay.
 */
export class CertificateFiles implements experimental.CertificateProvider {
  private loaded: Loaded;
  private readonly caListeners = new Set<experimental.CaCertificateUpdateListener>();
  private readonly identityListeners = new Set<experimental.IdentityCertificateUpdateListener>();
  private readonly changeListeners = new Set<() => void>();
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;

  constructor(private readonly options: CertificateFilesOptions) {
    if (Boolean(options.certFile) !== Boolean(options.keyFile)) {
      throw new ConfigError(`${options.name}: certFile and keyFile must be set together`);
    }
    this.loaded = this.load();
  }

  get hasCa(): boolean {
    return Boolean(this.options.caFiles?.length);
  }

  /** The current files as Node secure-context options. */
  contextOptions(): SecureContextOptions {
    const { ca, cert, key } = this.loaded;
    return { ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) };
  }

  /** Calls listener after every change that loaded; returns the unsubscribe. Watching runs while anyone listens. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    this.startWatching();
    return () => {
      this.changeListeners.delete(listener);
      this.maybeStopWatching();
    };
  }

  /** Re-reads the files now (the watch and the poll call this); true when they changed and loaded. */
  reload(): boolean {
    let next: Loaded;
    try {
      next = this.load();
    } catch (err) {
      this.options.logger.warn(
        { err, tls: this.options.name },
        'TLS files changed but do not load; still serving the previous ones',
      );
      return false;
    }
    if (same(next.ca, this.loaded.ca) && same(next.cert, this.loaded.cert) && same(next.key, this.loaded.key)) {
      return false;
    }
    this.loaded = next;
    this.options.logger.info({ tls: this.options.name }, 'TLS certificate files reloaded');
    for (const listener of this.caListeners) listener(this.caUpdate());
    for (const listener of this.identityListeners) listener(this.identityUpdate());
    for (const listener of this.changeListeners) listener();
    return true;
  }

  addCaCertificateListener(listener: experimental.CaCertificateUpdateListener): void {
    this.caListeners.add(listener);
    this.startWatching();
    listener(this.caUpdate());
  }

  removeCaCertificateListener(listener: experimental.CaCertificateUpdateListener): void {
    this.caListeners.delete(listener);
    this.maybeStopWatching();
  }

  addIdentityCertificateListener(listener: experimental.IdentityCertificateUpdateListener): void {
    this.identityListeners.add(listener);
    this.startWatching();
    listener(this.identityUpdate());
  }

  removeIdentityCertificateListener(listener: experimental.IdentityCertificateUpdateListener): void {
    this.identityListeners.delete(listener);
    this.maybeStopWatching();
  }

  private caUpdate(): experimental.CaCertificateUpdate {
    // A client without root CAs verifies against the system's roots, as Node does by default.
    return { caCertificate: this.loaded.ca ?? Buffer.from(rootCertificates.join('\n')) };
  }

  private identityUpdate(): experimental.IdentityCertificateUpdate | null {
    const { cert, key } = this.loaded;
    return cert && key ? { certificate: cert, privateKey: key } : null;
  }

  private load(): Loaded {
    const { caFiles = [], certFile, keyFile, name } = this.options;
    const read = (file: string) => {
      try {
        return readFileSync(file);
      } catch (err) {
        throw new ConfigError(`${name}: cannot read ${file}: ${(err as Error).message}`);
      }
    };
    const loaded: Loaded = {
      ca: caFiles.length ? concatPem(caFiles.map(read)) : undefined,
      cert: certFile ? read(certFile) : undefined,
      key: keyFile ? read(keyFile) : undefined,
    };
    try {
      // Throws on a malformed PEM or a key that does not belong to the certificate.
      createSecureContext({ ca: loaded.ca, cert: loaded.cert, key: loaded.key });
    } catch (err) {
      throw new ConfigError(`${name}: ${(err as Error).message}`);
    }
    return loaded;
  }

  private listening(): number {
    return this.caListeners.size + this.identityListeners.size + this.changeListeners.size;
  }

  private startWatching(): void {
    if (this.timer) return;
    // Files may have changed while nobody listened.
    this.reload();
    this.timer = setInterval(() => this.reload(), this.options.refreshMs);
    this.timer.unref();
    const files = [...(this.options.caFiles ?? []), this.options.certFile, this.options.keyFile].filter(
      (f): f is string => Boolean(f),
    );
    for (const directory of new Set(files.map((f) => dirname(f)))) {
      try {
        const watcher = watch(directory, { persistent: false }, () => this.scheduleReload());
        watcher.on('error', () => undefined);
        this.watchers.push(watcher);
      } catch {
        // No watch on this filesystem: the poll still picks changes up.
      }
    }
  }

  private scheduleReload(): void {
    clearTimeout(this.settle);
    this.settle = setTimeout(() => this.reload(), SETTLE_MS);
    this.settle.unref();
  }

  private maybeStopWatching(): void {
    if (this.listening() > 0 || !this.timer) return;
    clearInterval(this.timer);
    clearTimeout(this.settle);
    this.timer = undefined;
    for (const watcher of this.watchers.splice(0)) watcher.close();
  }
}

function same(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.equals(b));
}

/**
 * Server credentials that follow their files: the secure context given to new connections is swapped whenever
 * the files change (grpc-js's Server listens to its credentials and calls setSecureContext on its sockets).
 */
class ReloadingServerCredentials extends ServerCredentials {
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly files: CertificateFiles,
    requireClientAuth: boolean,
  ) {
    super({ requestCert: files.hasCa, rejectUnauthorized: requireClientAuth }, files.contextOptions());
  }

  override _addWatcher(watcher: Parameters<ServerCredentials['_addWatcher']>[0]): void {
    if (this.getWatcherCount() === 0) {
      this.unsubscribe = this.files.onChange(() => this.updateSecureContextOptions(this.files.contextOptions()));
    }
    super._addWatcher(watcher);
  }

  override _removeWatcher(watcher: Parameters<ServerCredentials['_removeWatcher']>[0]): void {
    super._removeWatcher(watcher);
    if (this.getWatcherCount() === 0) {
      this.unsubscribe?.();
      this.unsubscribe = undefined;
    }
  }

  _equals(other: ServerCredentials): boolean {
    return other === this;
  }
}

export interface ServerTlsOptions {
  refreshMs: number;
  logger: Logger;
  /** Names the config section in errors and logs, e.g. "tls.frontend.server". */
  name: string;
}

/** Plaintext when the section has no certFile; otherwise TLS (mutual TLS with requireClientAuth) that reloads. */
export function serverCredentials(tls: ServerTlsConfig, options: ServerTlsOptions): ServerCredentials {
  if (!tls.certFile) return ServerCredentials.createInsecure();
  const files = new CertificateFiles({
    caFiles: tls.clientCaFiles,
    certFile: tls.certFile,
    keyFile: tls.keyFile,
    ...options,
  });
  return new ReloadingServerCredentials(files, tls.requireClientAuth);
}

/** What a gRPC channel needs to reach a server: its credentials and the channel options they come with. */
export interface ChannelSecurity {
  credentials: ChannelCredentials;
  channelOptions: Record<string, string>;
}

export const INSECURE_CHANNEL: ChannelSecurity = { credentials: credentials.createInsecure(), channelOptions: {} };

export interface ClientTlsOptions extends ServerTlsOptions {
  /** The client certificate and key to present (mutual TLS), if any. */
  identity?: { certFile: string; keyFile: string };
}

/** TLS client credentials that verify the server with client.rootCaFiles and re-read every file when it changes. */
export function channelSecurity(client: ClientTlsConfig, options: ClientTlsOptions): ChannelSecurity {
  const { identity, ...rest } = options;
  const ca = new CertificateFiles({ caFiles: client.rootCaFiles, ...rest, name: `${options.name} rootCaFiles` });
  const id = identity?.certFile
    ? new CertificateFiles({ certFile: identity.certFile, keyFile: identity.keyFile, ...rest })
    : null;
  const verify = client.disableHostVerification ? { checkServerIdentity: () => undefined } : {};
  return {
    credentials: experimental.createCertificateProviderChannelCredentials(ca, id, verify),
    channelOptions: client.serverName ? { 'grpc.ssl_target_name_override': client.serverName } : {},
  };
}

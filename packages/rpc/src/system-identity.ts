// How the worker service's own SDK connection (NativeConnection) to the frontend authenticates as the system
// identity (system:admin) when authorization is on.
import {
  serverTlsEnabled,
  systemWorkerSdkTls,
  tlsRefreshIntervalMs,
  type Logger,
  type SdkTlsConfig,
  type TemporaConfig,
} from '@tempora/common';
import { processSystemToken } from './authorization.js';
import type { GrpcClientOptions } from './grpc-client.js';
import type { Interceptor } from './interceptor.js';
import { channelSecurity } from './tls.js';

/** The parts of the SDK's NativeConnectionOptions / ConnectionOptions this sets. */
export interface SystemConnectionOptions {
  address: string;
  /** false: plaintext (the SDKs turn TLS on by themselves when an apiKey is set). */
  tls?: SdkTlsConfig | false;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
}

/**
 * `NativeConnection.connect(systemWorkerConnectionOptions(config, address))`: TLS from tls.systemWorker (its client
 * certificate is the system identity for a frontend that verifies client certificates, in any process), and with
 * authorization on, the process's system token, which the frontend accepts when it runs in the same process
 * (start-dev, or `start` hosting worker and frontend together). Call it for every new connection (files are read).
 */
export function systemWorkerConnectionOptions(config: TemporaConfig, address: string): SystemConnectionOptions {
  const tls = systemWorkerSdkTls(config);
  return {
    address,
    ...(config.authorization.enabled ? { apiKey: processSystemToken(), tls: tls ?? false } : tls ? { tls } : {}),
  };
}

/**
 * Options for the worker service's own gRPC client to the frontend (grpcClient): the same identity as
 * systemWorkerConnectionOptions gives the SDK connection, TLS from tls.systemWorker and the process's system token.
 */
export function systemWorkerClientOptions(config: TemporaConfig, logger: Logger): GrpcClientOptions {
  const interceptors: Interceptor[] = [];
  if (config.authorization.enabled) {
    const header = `Bearer ${processSystemToken()}`;
    interceptors.push((next) => (call) => {
      call.metadata.set('authorization', header);
      return next(call);
    });
  }
  const worker = config.tls.systemWorker;
  const security = serverTlsEnabled(config.tls.frontend.server)
    ? channelSecurity(worker.client, {
        refreshMs: tlsRefreshIntervalMs(config),
        logger,
        name: 'tls.systemWorker.client',
        ...(worker.certFile ? { identity: { certFile: worker.certFile, keyFile: worker.keyFile } } : {}),
      })
    : undefined;
  return { interceptors, serviceName: 'frontend', ...(security ? { security } : {}) };
}

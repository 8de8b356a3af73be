// How the worker service's own SDK connection (NativeConnection) to the frontend authenticates as the system
// identity (system:admin) when authorization is on.
import { systemWorkerSdkTls, type SdkTlsConfig, type TemporaConfig } from '@tempora/common';
import { processSystemToken } from './authorization.js';

/** The parts of the SDK's NativeConnectionOptions / ConnectionOptions this sets. */
export interface SystemConnectionOptions {
  address: string;
  tls?: SdkTlsConfig;
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
    ...(tls ? { tls } : {}),
    ...(config.authorization.enabled ? { apiKey: processSystemToken() } : {}),
  };
}

// Shared set-up for tests that drive Tempora through the official SDK.
import { google } from '@temporalio/proto';
import { Connection } from '@temporalio/client';
import { startDevServer, type DevServer, type DevServerOptions } from '@tempora/cli';

export interface TestServer {
  server: DevServer;
  connection: Connection;
  close(): Promise<void>;
}

/** A dev server on a free port with its logs silenced, and an official-SDK connection to it. */
export async function startTestServer(options: DevServerOptions = {}): Promise<TestServer> {
  const server = await startDevServer({ port: 0, logLevel: 'silent', ...options });
  const connection = await Connection.connect({ address: server.address });
  return {
    server,
    connection,
    async close() {
      await connection.close();
      await server.stop();
    },
  };
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/** A gRPC failure as the SDK surfaces it, with the google.rpc.Status detail decoded. */
export interface GrpcFailure {
  code: number;
  message: string;
  /** Type name of the first status detail (e.g. temporal.api.errordetails.v1.NamespaceNotFoundFailure), or ''. */
  detailType: string;
}

export async function grpcFailure(promise: Promise<unknown>): Promise<GrpcFailure> {
  try {
    await promise;
  } catch (err) {
    const e = err as { code?: number; details?: string; message: string; metadata?: { get(key: string): unknown[] } };
    if (typeof e.code !== 'number') throw err;
    const raw = e.metadata?.get('grpc-status-details-bin')[0];
    const status = raw instanceof Buffer ? google.rpc.Status.decode(raw) : undefined;
    const detailType = status?.details?.[0]?.type_url?.replace('type.googleapis.com/', '') ?? '';
    return { code: e.code, message: e.details ?? e.message, detailType };
  }
  throw new Error('expected the call to fail');
}

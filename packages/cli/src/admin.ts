// `tempora admin ...`: tables over the frontend's AdminService.
import { ConfigError, createLogger } from '@tempora/common';
import * as messages from '@tempora/proto/admin';
import { AdminServiceService, type AdminServiceServer } from '@tempora/proto/admin';
import { channelSecurity, grpcClient, type ClosableRpcClient, type Interceptor } from '@tempora/rpc';

const CALL_TIMEOUT_MS = 10_000;

/** How `tempora admin` reaches the frontend: the `temporal` CLI's flag names, so one habit serves both tools. */
export interface AdminConnection {
  address: string;
  /** PEM CA the frontend's certificate is verified against; setting any --tls-* flag turns TLS on. */
  tlsCaPath?: string;
  tlsCertPath?: string;
  tlsKeyPath?: string;
  tlsServerName?: string;
  tlsDisableHostVerification?: boolean;
  /** Sent as `authorization: Bearer <key>` (an admin call needs system:admin when authorization is on). */
  apiKey?: string;
}

function usesTls(c: AdminConnection): boolean {
  return Boolean(c.tlsCaPath || c.tlsCertPath || c.tlsKeyPath || c.tlsServerName || c.tlsDisableHostVerification);
}

function adminClient(c: AdminConnection): ClosableRpcClient<AdminServiceServer> {
  if (Boolean(c.tlsCertPath) !== Boolean(c.tlsKeyPath))
    throw new ConfigError('--tls-cert-path and --tls-key-path go together');
  const security = usesTls(c)
    ? channelSecurity(
        {
          rootCaFiles: c.tlsCaPath ? [c.tlsCaPath] : [],
          serverName: c.tlsServerName ?? '',
          disableHostVerification: c.tlsDisableHostVerification ?? false,
        },
        {
          identity: c.tlsCertPath ? { certFile: c.tlsCertPath, keyFile: c.tlsKeyPath! } : undefined,
          // A one-shot command: the files are read once.
          refreshMs: 0,
          logger: createLogger('silent'),
          name: 'tempora admin --tls-*',
        },
      )
    : undefined;
  const apiKey: Interceptor[] = c.apiKey
    ? [
        (next) => (call) => {
          call.metadata.set('authorization', `Bearer ${c.apiKey}`);
          return next(call);
        },
      ]
    : [];
  return grpcClient<AdminServiceServer>(AdminServiceService, messages, c.address, {
    security,
    interceptors: apiKey,
    serviceName: 'frontend',
  });
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

async function withAdmin<T>(
  connection: AdminConnection,
  fn: (client: ClosableRpcClient<AdminServiceServer>, deadline: number) => Promise<T>,
): Promise<T> {
  const client = adminClient(connection);
  try {
    return await fn(client, Date.now() + CALL_TIMEOUT_MS);
  } finally {
    client.close();
  }
}

export function describeMembership(connection: AdminConnection): Promise<string> {
  return withAdmin(connection, async (client, deadline) => {
    const { members, membershipProvider } = await client.listClusterMembers({}, { deadline });
    const rows = members.map((m) => [m.service, m.address || '-', m.identity, m.startedTime?.toISOString() ?? '']);
    return `membership: ${membershipProvider}\n` + table(['SERVICE', 'ADDRESS', 'IDENTITY', 'STARTED'], rows);
  });
}

function describeReshard(status: messages.ReshardStatus): string {
  const { fromShardCount, toShardCount, splitShards, movedExecutions, startedTime, completedTime } = status;
  const done = completedTime
    ? `finished ${completedTime.toISOString()} in ${seconds(completedTime.getTime() - (startedTime?.getTime() ?? 0))}`
    : `${splitShards}/${fromShardCount} shards split`;
  return `reshard ${fromShardCount} -> ${toShardCount}: ${done}, ${movedExecutions} executions moved`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function describeShards(connection: AdminConnection): Promise<string> {
  return withAdmin(connection, async (client, deadline) => {
    const { shards, shardCount, reshard, lastReshard } = await client.listShards({}, { deadline });
    const rows = shards.map((s) => [String(s.shardId), s.ringOwner || '-', s.storeOwner || '-', String(s.rangeId)]);
    const status = reshard ?? lastReshard;
    const header =
      `history shards: ${reshard ? `${shardCount}, resharding to ${reshard.toShardCount}` : shardCount}\n` +
      (status ? `${describeReshard(status)}\n` : '');
    return header + table(['SHARD', 'RING OWNER', 'STORE OWNER', 'RANGE ID'], rows);
  });
}

export interface ReshardOptions {
  shards: number;
  /** Return once the reshard is recorded instead of following it to the end. */
  wait: boolean;
  /** How often progress is read while following. */
  pollMs?: number;
}

/**
 * Starts (or, for the count already in progress, resumes following) a reshard; prints progress lines through
 * `print` until it finishes. The history hosts do the work: this command dying changes nothing.
 */
export function reshard(connection: AdminConnection, options: ReshardOptions, print: (line: string) => void) {
  return withAdmin(connection, async (client, deadline) => {
    const status = (await client.reshard({ shardCount: options.shards }, { deadline })).status!;
    print(describeReshard(status));
    if (!options.wait || status.completedTime) return;
    let last = '';
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
      const { reshard: running, lastReshard } = await client.listShards({}, { deadline: Date.now() + CALL_TIMEOUT_MS });
      const current = running ?? lastReshard;
      if (!current) continue;
      const line = describeReshard(current);
      if (line !== last) print(line);
      last = line;
      if (!running && lastReshard?.toShardCount === options.shards) return;
    }
  });
}

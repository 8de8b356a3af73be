// `tempora admin ...`: tables over the frontend's AdminService.
import * as messages from '@tempora/proto/admin';
import { AdminServiceService, type AdminServiceServer } from '@tempora/proto/admin';
import { grpcClient, type ClosableRpcClient } from '@tempora/rpc';

const CALL_TIMEOUT_MS = 10_000;

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
  address: string,
  fn: (client: ClosableRpcClient<AdminServiceServer>, deadline: number) => Promise<T>,
): Promise<T> {
  const client = grpcClient<AdminServiceServer>(AdminServiceService, messages, address);
  try {
    return await fn(client, Date.now() + CALL_TIMEOUT_MS);
  } finally {
    client.close();
  }
}

export function describeMembership(address: string): Promise<string> {
  return withAdmin(address, async (client, deadline) => {
    const { members, membershipProvider } = await client.listClusterMembers({}, { deadline });
    const rows = members.map((m) => [m.service, m.address || '-', m.identity, m.startedTime?.toISOString() ?? '']);
    return `membership: ${membershipProvider}\n` + table(['SERVICE', 'ADDRESS', 'IDENTITY', 'STARTED'], rows);
  });
}

export function describeShards(address: string): Promise<string> {
  return withAdmin(address, async (client, deadline) => {
    const { shards } = await client.listShards({}, { deadline });
    const rows = shards.map((s) => [String(s.shardId), s.ringOwner || '-', s.storeOwner || '-', String(s.rangeId)]);
    return table(['SHARD', 'RING OWNER', 'STORE OWNER', 'RANGE ID'], rows);
  });
}

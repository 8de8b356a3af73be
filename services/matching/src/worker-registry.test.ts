import { describe, expect, it } from '@jest/globals';
import { WorkerStatus } from '@tempora/proto/enums';
import { WorkerHeartbeat } from '@tempora/proto/worker';
import { Code, RpcError } from '@tempora/rpc';
import { WORKER_ENTRY_TTL_MS, WorkerRegistry } from './worker-registry.js';

const heartbeat = (key: string, fields: Partial<WorkerHeartbeat> = {}) =>
  WorkerHeartbeat.fromPartial({
    workerInstanceKey: key,
    workerIdentity: `identity-${key}`,
    taskQueue: 'orders',
    sdkName: 'temporal-typescript',
    sdkVersion: '1.24.0',
    status: WorkerStatus.WORKER_STATUS_RUNNING,
    startTime: new Date('2026-01-01T00:00:00Z'),
    heartbeatTime: new Date('2026-01-01T00:01:00Z'),
    hostInfo: { hostName: 'host-a', processId: '42' },
    ...fields,
  });

function registryAt(start = 1_000_000) {
  const clock = { now: start };
  return { registry: new WorkerRegistry(WORKER_ENTRY_TTL_MS, () => clock.now), clock };
}

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof RpcError) return err.code;
    throw err;
  }
  return undefined;
}

const keys = (hbs: WorkerHeartbeat[]) => hbs.map((h) => h.workerInstanceKey);

describe('WorkerRegistry', () => {
  it('keeps the latest heartbeat per worker, per namespace, and forgets it 5 minutes after it', () => {
    const { registry, clock } = registryAt();
    registry.record('ns', [heartbeat('a'), heartbeat('b')]);
    registry.record('other', [heartbeat('c')]);
    clock.now += 60_000;
    registry.record('ns', [heartbeat('a', { status: WorkerStatus.WORKER_STATUS_SHUTTING_DOWN })]);
    expect(keys(registry.list('ns', '', false))).toEqual(['a', 'b']);
    expect(registry.describe('ns', 'a').status).toBe(WorkerStatus.WORKER_STATUS_SHUTTING_DOWN);
    expect(codeOf(() => registry.describe('ns', 'c'))).toBe(Code.NOT_FOUND);

    clock.now += WORKER_ENTRY_TTL_MS - 60_000;
    // b's last heartbeat is now 5 minutes old; a's is 4.
    expect(keys(registry.list('ns', '', false))).toEqual(['a']);
    expect(codeOf(() => registry.describe('ns', 'b'))).toBe(Code.NOT_FOUND);
    registry.evictExpired();
    clock.now += 60_000;
    registry.evictExpired();
    expect(registry.list('ns', '', false)).toEqual([]);
    expect(registry.list('other', '', false)).toEqual([]);
  });

  it('leaves out system workers unless asked for them', () => {
    const { registry } = registryAt();
    registry.record('ns', [heartbeat('user'), heartbeat('system', { taskQueue: 'temporal-sys-per-ns-tq' })]);
    expect(keys(registry.list('ns', '', false))).toEqual(['user']);
    expect(keys(registry.list('ns', '', true))).toEqual(['system', 'user']);
  });
});

describe('ListWorkers queries', () => {
  const { registry } = registryAt();
  registry.record('ns', [
    heartbeat('a'),
    heartbeat('b', { taskQueue: 'payments', hostInfo: { hostName: 'host-b' } as never }),
    heartbeat('c', {
      status: WorkerStatus.WORKER_STATUS_SHUTDOWN,
      heartbeatTime: new Date('2026-01-01T00:10:00Z'),
      deploymentVersion: { deploymentName: 'dep', buildId: 'v2' },
    }),
  ]);
  const list = (query: string) => keys(registry.list('ns', query, false));

  it.each([
    ["TaskQueue = 'orders'", ['a', 'c']],
    ["TaskQueue != 'orders'", ['b']],
    ["HostName STARTS_WITH 'host-'", ['a', 'b', 'c']],
    ["TaskQueue NOT STARTS_WITH 'ord'", ['b']],
    ["Status = 'Shutdown'", ['c']],
    ["WorkerStatus = 'Running' AND TaskQueue = 'orders'", ['a']],
    ["(BuildId = 'v2' OR HostName = 'host-b') AND SdkName = 'temporal-typescript'", ['b', 'c']],
    ['DeploymentName IS NULL', ['a', 'b']],
    ['DeploymentName IS NOT NULL', ['c']],
    ["HeartbeatTime > '2026-01-01T00:05:00Z'", ['c']],
    ["HeartbeatTime BETWEEN '2026-01-01T00:00:00Z' AND '2026-01-01T00:02:00Z'", ['a', 'b']],
    ["StartTime <= '2026-01-01T00:00:00Z'", ['a', 'b', 'c']],
    ["WorkerInstanceKey = 'b'", ['b']],
  ])('%s', (query, expected) => {
    expect(list(query)).toEqual(expected);
  });

  it.each([
    ["Bogus = 'x'", 'unknown or unsupported worker heartbeat search field: Bogus'],
    ["NOT TaskQueue = 'x'", "operation is not supported: 'not' expression"],
    ["TaskQueue IN ('a')", "operation is not supported: 'in' expression"],
    ["HeartbeatTime > 'yesterday'", 'invalid value for HeartbeatTime'],
    ["TaskQueue = ''", 'TaskQueue cannot be empty'],
    ["TaskQueue > 'a'", 'operation > is not supported for TaskQueue column'],
    ['TaskQueue = ', 'malformed query'],
    ["TaskQueue = 'a' ORDER BY StartTime", "'order by'"],
  ])('rejects %s', (query, message) => {
    expect(() => registry.list('ns', query, false)).toThrow(message);
    expect(codeOf(() => registry.list('ns', query, false))).toBe(Code.INVALID_ARGUMENT);
  });
});

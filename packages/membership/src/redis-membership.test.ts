// Against a real Redis (TEMPORA_TEST_REDIS; deploy/local/redis.sh start). Without one the suite is skipped, except
// in CI where it fails.
import { afterEach, describe, expect, it } from '@jest/globals';
import { createLogger } from '@tempora/common';
import type { Member, Membership } from './membership.js';
import { RedisMembership, probeRedis, type RedisMembershipOptions } from './redis-membership.js';

const redisUrl = process.env.TEMPORA_TEST_REDIS ?? 'redis://127.0.0.1:6479';
const reachable = await probeRedis(redisUrl);
if (!reachable && process.env.CI === 'true') {
  throw new Error(
    `Redis is required in CI but ${redisUrl} (TEMPORA_TEST_REDIS) does not answer; run deploy/local/redis.sh start`,
  );
}
if (!reachable) console.log(`skipping Redis membership tests: no Redis at ${redisUrl} (deploy/local/redis.sh start)`);
const describeWithRedis = reachable ? describe : describe.skip;

const logger = createLogger('silent');
const member = (identity: string, port: number): Member => ({
  service: 'history',
  identity,
  address: `127.0.0.1:${port}`,
  startedTime: Date.now(),
});
const identities = (m: Membership) => m.members('history').map((x) => x.identity);

/** Resolves once the history ring of `m` satisfies `done`, checked after every change. */
function ringBecomes(m: Membership, done: (ids: string[]) => boolean, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (done(identities(m))) return resolve();
    const timer = setTimeout(() => reject(new Error(`ring still ${JSON.stringify(identities(m))}`)), timeoutMs);
    const unsubscribe = m.onChange(() => {
      if (!done(identities(m))) return;
      clearTimeout(timer);
      unsubscribe();
      resolve();
    });
  });
}

describeWithRedis('RedisMembership', () => {
  const open: RedisMembership[] = [];
  const clusterName = `test-${Math.random().toString(36).slice(2, 10)}`;
  const connect = async (options: Partial<RedisMembershipOptions> = {}) => {
    const m = await RedisMembership.connect({ url: redisUrl, clusterName, logger, ...options });
    open.push(m);
    return m;
  };

  afterEach(async () => {
    for (const m of open.splice(0)) {
      await m.deregister();
      await m.close();
    }
  });

  it('shows every process the same members and owners', async () => {
    const a = await connect();
    const b = await connect();
    await a.register(member('a', 1));
    await b.register(member('b', 2));
    await ringBecomes(a, (ids) => ids.length === 2);
    await ringBecomes(b, (ids) => ids.length === 2);
    for (let shard = 1; shard <= 16; shard++) {
      expect(a.owner('history', `shard-${shard}`)?.identity).toBe(b.owner('history', `shard-${shard}`)?.identity);
    }
    expect(a.members('matching')).toEqual([]);
  });

  it('announces a graceful leave at once (pub/sub, not the periodic refresh)', async () => {
    const slowRefresh = { refreshMs: 60_000 };
    const a = await connect(slowRefresh);
    const b = await connect(slowRefresh);
    await a.register(member('a', 1));
    await b.register(member('b', 2));
    await ringBecomes(a, (ids) => ids.includes('b'));
    const started = Date.now();
    await b.deregister();
    await ringBecomes(a, (ids) => ids.join() === 'a', 5_000);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('drops a member that stopped heartbeating once its registration expires', async () => {
    const a = await connect({ refreshMs: 100 });
    const dying = await RedisMembership.connect({ url: redisUrl, clusterName, logger, ttlMs: 800, heartbeatMs: 200 });
    await a.register(member('a', 1));
    await dying.register(member('dying', 2));
    await ringBecomes(a, (ids) => ids.includes('dying'));
    await dying.close(); // like SIGKILL: no deregistration, heartbeats stop
    await ringBecomes(a, (ids) => ids.join() === 'a', 5_000);
  });

  it('fails to start with a message naming the setting when Redis is unreachable', async () => {
    await expect(
      RedisMembership.connect({ url: 'redis://127.0.0.1:1', clusterName, logger, connectTimeoutMs: 500 }),
    ).rejects.toThrow('cannot reach Redis at redis://127.0.0.1:1 (membership.redisUrl)');
  });
});

// Membership over Redis. Each member is a key holding its JSON description with a TTL its process keeps extending
// (heartbeat); a process that dies stops extending it and drops out once it expires. Joins and leaves are published
// on a channel so every process re-reads the registry at once; a periodic re-read catches expiries and missed
// notices. While Redis is unreachable nothing changes: the last view stays in force, so ownership stalls but never
// flaps, and the store's fencing keeps writes safe whatever a process believes.
import { createRequire } from 'node:module';
import type { ConnectionOptions } from 'node:tls';
import type * as IoRedis from 'ioredis';
import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from '@tempora/common';
import { SERVICE_NAMES } from '@tempora/common';
import { RingMembership, type Member } from './membership.js';

export interface RedisMembershipOptions {
  url: string;
  /** Separates clusters sharing one Redis. */
  clusterName: string;
  logger: Logger;
  /** How long a member stays registered without a heartbeat. */
  ttlMs?: number;
  heartbeatMs?: number;
  refreshMs?: number;
  /** How long connect() waits for Redis before failing. */
  connectTimeoutMs?: number;
  /** TLS to Redis (ioredis `tls`); a rediss:// url turns TLS on with the defaults too. */
  tls?: ConnectionOptions;
}

/** ioredis is loaded by the first connection: a process without membership.redisUrl never needs it. */
function redisClient(url: string, options: RedisOptions): Redis {
  const { Redis: Client } = createRequire(import.meta.url)('ioredis') as typeof IoRedis;
  return new Client(url, options);
}

/** ioredis options of the membership clients: fail fast while disconnected, reconnect with backoff, TLS if set. */
export function redisConnectionOptions(options: Pick<RedisMembershipOptions, 'tls'>): RedisOptions {
  return {
    lazyConnect: true,
    // Commands fail at once while disconnected instead of piling up: a heartbeat or refresh simply misses.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 1_000),
    ...(options.tls ? { tls: options.tls } : {}),
  };
}

const DEFAULT_TTL_MS = 4_000;
const DEFAULT_HEARTBEAT_MS = 1_000;
const DEFAULT_REFRESH_MS = 1_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

export class RedisMembership extends RingMembership {
  readonly provider = 'redis' as const;
  private readonly local = new Map<string, Member>();
  private readonly keyPrefix: string;
  /** When this registry was (re)created: an empty Redis gets a new epoch from the first process that reconnects. */
  private readonly epochKey: string;
  private readonly channel: string;
  private readonly ttlMs: number;
  private readonly timers: NodeJS.Timeout[] = [];
  /** When the connection came back: members missing right after a reconnect may just not have re-registered. */
  private reconnectedAt = -Infinity;
  /** Members announced as gone (graceful leave): dropped at once, even right after a reconnect. */
  private readonly departed = new Set<string>();
  /** Until when the registry may still be missing live members (see settling). */
  private settlesAt = 0;
  private settleTimer: NodeJS.Timeout | undefined;
  private lostRedis = false;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private closed = false;

  private constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly options: RedisMembershipOptions,
  ) {
    super();
    this.keyPrefix = `tempora:${options.clusterName}:member:`;
    this.channel = `tempora:${options.clusterName}:membership`;
    this.epochKey = `tempora:${options.clusterName}:registry-epoch`;
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  }

  /** Connects (waiting for Redis up to connectTimeoutMs), reads the registry and starts heartbeats and refreshes. */
  static async connect(options: RedisMembershipOptions): Promise<RedisMembership> {
    const connection = redisConnectionOptions(options);
    const redis = redisClient(options.url, connection);
    const subscriber = redisClient(options.url, { ...connection, enableOfflineQueue: true });
    const membership = new RedisMembership(redis, subscriber, options);
    try {
      await membership.start(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    } catch (err) {
      await membership.close();
      throw err;
    }
    return membership;
  }

  private async start(connectTimeoutMs: number): Promise<void> {
    const { logger } = this.options;
    let connected = false;
    for (const [name, client] of [
      ['registry', this.redis],
      ['notices', this.subscriber],
    ] as const) {
      client.on('error', (err: Error) => logger.debug({ err, connection: name }, 'membership redis error'));
      client.on('close', () => {
        if (!connected || this.closed || this.lostRedis) return;
        this.lostRedis = true;
        logger.warn({ connection: name }, 'lost Redis: membership changes stall until it is back');
      });
    }
    this.redis.on('ready', () => {
      if (!connected || this.closed) return;
      this.lostRedis = false;
      logger.info('Redis is back: re-registering');
      this.reconnectedAt = Date.now();
      void this.heartbeat()
        .then(() => this.readEpoch())
        .then(() => this.announce())
        .then(() => this.refresh())
        .catch((err: unknown) => logger.debug({ err }, 're-registering failed; the next heartbeat retries'));
    });
    this.subscriber.on('message', (_channel: string, message: string) => {
      for (const identity of parseDeparted(message)) this.departed.add(identity);
      void this.refresh();
    });

    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`cannot reach Redis at ${this.options.url} (membership.redisUrl)`)),
        connectTimeoutMs,
      ).unref(),
    );
    const waiting = setTimeout(
      () => logger.warn({ url: this.options.url }, 'waiting for Redis (membership.redisUrl)'),
      1_000,
    );
    try {
      await Promise.race([Promise.all([connectWhenUp(this.redis), connectWhenUp(this.subscriber)]), timeout]);
    } finally {
      clearTimeout(waiting);
    }
    await this.subscriber.subscribe(this.channel);
    connected = true;
    await this.readEpoch();
    await this.refresh();
    const heartbeatMs = this.options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.timers.push(setInterval(() => void this.heartbeat(), heartbeatMs).unref());
    this.timers.push(setInterval(() => void this.refresh(), this.options.refreshMs ?? DEFAULT_REFRESH_MS).unref());
  }

  async register(member: Member): Promise<void> {
    this.local.set(member.identity, member);
    await this.redis.set(this.key(member), JSON.stringify(member), 'PX', this.ttlMs);
    await this.announce();
    await this.refresh();
  }

  async deregister(): Promise<void> {
    const members = [...this.local.values()];
    this.local.clear();
    if (!members.length) return;
    try {
      await this.redis.del(...members.map((m) => this.key(m)));
      await this.announce(members.map((m) => m.identity));
    } catch (err) {
      // Unreachable Redis: the keys expire by themselves within the TTL.
      this.options.logger.warn({ err }, 'could not deregister from Redis; members expire with their TTL');
    }
    // This process's own view drops them at once, whatever Redis says.
    this.apply(this.allMembers().filter((m) => !members.some((gone) => gone.identity === m.identity)));
  }

  override get settling(): boolean {
    return Date.now() < this.settlesAt;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    clearTimeout(this.settleTimer);
    await this.refreshing;
    this.redis.disconnect();
    this.subscriber.disconnect();
  }

  /** Re-reads the registry; concurrent calls share one read and a call during a read causes one more. */
  refresh(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        try {
          this.applyRead(await this.read());
        } catch (err) {
          this.options.logger.debug({ err }, 'membership refresh failed; keeping the last view');
        }
      } while (this.refreshAgain && !this.closed);
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /**
   * Reads (creating it if absent) the registry's epoch. A registry younger than one TTL may lack live members that
   * have not re-registered yet: until it is a TTL old this process reports settling, then tells its listeners.
   */
  private async readEpoch(): Promise<void> {
    await this.redis.set(this.epochKey, String(Date.now()), 'NX');
    const epoch = Number(await this.redis.get(this.epochKey));
    const settlesAt = (Number.isFinite(epoch) ? epoch : 0) + this.ttlMs;
    if (settlesAt <= Date.now()) return;
    this.settlesAt = settlesAt;
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      for (const service of SERVICE_NAMES) this.announceChange(service);
    }, settlesAt - Date.now()).unref();
  }

  private applyRead(read: Member[]): void {
    // Right after (re)connecting, a member that is missing may not have re-registered yet (a restarted Redis is
    // empty): keep it for one TTL rather than moving its shards away and back.
    const inGrace = Date.now() - this.reconnectedAt < this.ttlMs;
    const kept = inGrace
      ? this.allMembers().filter((m) => !this.departed.has(m.identity) && !read.some((r) => r.identity === m.identity))
      : [];
    this.apply([...read, ...kept]);
    // A departed identity never comes back (a restarted process gets a new one), so the set only needs to live
    // as long as the view could still hold it.
    for (const identity of this.departed)
      if (!read.some((r) => r.identity === identity)) this.departed.delete(identity);
  }

  private async read(): Promise<Member[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', `${this.keyPrefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    if (!keys.length) return [];
    const values = await this.redis.mget(...keys);
    return values.flatMap((value) => (value ? parseMember(value) : []));
  }

  private async heartbeat(): Promise<void> {
    if (!this.local.size || this.closed) return;
    try {
      const batch = this.redis.multi();
      for (const member of this.local.values()) batch.set(this.key(member), JSON.stringify(member), 'PX', this.ttlMs);
      await batch.exec();
    } catch (err) {
      this.options.logger.debug({ err }, 'membership heartbeat failed');
    }
  }

  /** Tells every process to re-read the registry, naming the members that left (if any). */
  private async announce(departed: string[] = []): Promise<void> {
    await this.redis.publish(this.channel, JSON.stringify({ departed }));
  }

  private key(member: Member): string {
    return `${this.keyPrefix}${member.service}:${member.identity}`;
  }
}

function connectWhenUp(client: Redis): Promise<void> {
  // connect() rejects on the first failed attempt; the client keeps retrying per retryStrategy, so wait for ready.
  return new Promise((resolve) => {
    client.once('ready', () => resolve());
    client.connect().catch(() => undefined);
  });
}

function parseDeparted(message: string): string[] {
  try {
    const { departed } = JSON.parse(message) as { departed?: unknown };
    return Array.isArray(departed) ? departed.filter((d): d is string => typeof d === 'string') : [];
  } catch {
    return [];
  }
}

function parseMember(value: string): Member[] {
  try {
    const member = JSON.parse(value) as Member;
    return (SERVICE_NAMES as readonly string[]).includes(member.service) && typeof member.identity === 'string'
      ? [member]
      : [];
  } catch {
    return [];
  }
}

/** Whether a Redis answers PING at `url` within timeoutMs (tests and tools decide whether to run). */
export async function probeRedis(url: string, timeoutMs = 1_000, tls?: ConnectionOptions): Promise<boolean> {
  const client = redisClient(url, {
    ...(tls ? { tls } : {}),
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

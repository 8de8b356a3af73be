// The namespaces of this process, by id and by name (upstream's common/namespace/registry.go): one cache shared by
// the services a process hosts, read through to the store on a miss, so a namespace registered a moment ago is
// found at once. Writes go through the registry too, so the next lookup here sees them; other processes see them
// once their cached copy is older than the refresh interval.
import type { NamespaceStore } from '@tempora/persistence';
import { NamespaceState } from '@tempora/proto/enums';
import type { NamespaceRecord } from '@tempora/proto/persistence';
import { invalidArgument, namespaceNotFound } from '@tempora/rpc';

/** Upstream's limit on ids and names (dynamic config limit.maxIDLength). */
export const MAX_ID_LENGTH = 1000;

const DEFAULT_REFRESH_INTERVAL_MS = 10_000;
/** Upstream's read-through not-found TTL: long enough to absorb a burst of calls naming a missing namespace. */
const DEFAULT_NOT_FOUND_TTL_MS = 1_000;

/** What events about other runs carry of a namespace. */
export interface NamespaceRef {
  id: string;
  name: string;
}

export interface NamespaceRegistryOptions {
  /** How long a cached namespace is served before the store is read again, i.e. how soon other processes' writes show. */
  refreshIntervalMs?: number;
  /** How long "no such namespace" is remembered; short, so one registered by another process shows soon. */
  notFoundTtlMs?: number;
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number;
}

export interface ReadOptions {
  /** Read the store even when cached: read-modify-write needs the current config version. */
  fresh?: boolean;
}

type Key = 'id' | 'name';

interface Cached {
  record: NamespaceRecord;
  expires: number;
}

/** Records returned are shared with the cache: copy (NamespaceRecord.fromPartial) before changing one. */
export class NamespaceRegistry {
  private readonly refreshIntervalMs: number;
  private readonly notFoundTtlMs: number;
  private readonly now: () => number;
  private readonly cache: Record<Key, Map<string, Cached>> = { id: new Map(), name: new Map() };
  /** When each "not found" expires, oldest first, so expired ones are dropped from the front. */
  private readonly missing: Record<Key, Map<string, number>> = { id: new Map(), name: new Map() };
  /** Store reads under way, so concurrent misses of one namespace read it once. */
  private readonly loads: Record<Key, Map<string, Promise<NamespaceRecord | undefined>>> = {
    id: new Map(),
    name: new Map(),
  };
  /** Bumped by every write: a read that started before a write must not cache what it read. */
  private generation = 0;

  constructor(
    private readonly store: NamespaceStore,
    options: NamespaceRegistryOptions = {},
  ) {
    this.refreshIntervalMs = options.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS;
    this.notFoundTtlMs = options.notFoundTtlMs ?? DEFAULT_NOT_FOUND_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  async getByName(name: string, options: ReadOptions = {}): Promise<NamespaceRecord> {
    const record = await this.lookup('name', name, options);
    if (!record) throw namespaceNotFound(name);
    return record;
  }

  /** The name of a cached namespace id (even if due for a refresh), without reading the store: metrics tags. */
  cachedName(id: string): string | undefined {
    return this.cache.id.get(id)?.record.info?.name;
  }

  async getById(id: string, options: ReadOptions = {}): Promise<NamespaceRecord> {
    const record = await this.lookup('id', id, options);
    if (!record) throw namespaceNotFound(id);
    return record;
  }

  /** Resolves the namespace a workflow call names; it must exist and be usable. */
  async resolve(name: string): Promise<NamespaceRecord> {
    if (!name) throw invalidArgument('Namespace not set on request.');
    if (name.length > MAX_ID_LENGTH) throw invalidArgument('Namespace length exceeds limit.');
    return usable(await this.getByName(name), name);
  }

  /** The id of the namespace a workflow call names (see resolve). */
  async resolveId(name: string): Promise<string> {
    return (await this.resolve(name)).info!.id;
  }

  /** Resolves the namespace a task token names by id; it must exist and be usable. */
  async resolveById(id: string): Promise<NamespaceRecord> {
    if (!id) throw invalidArgument('Namespace not set on request.');
    return usable(await this.getById(id), id);
  }

  async refById(id: string): Promise<NamespaceRef> {
    return refOf(await this.getById(id));
  }

  /** Undefined when no namespace has the name. */
  async refByName(name: string): Promise<NamespaceRef | undefined> {
    const record = await this.lookup('name', name, {});
    return record && refOf(record);
  }

  /** Throws the store's NamespaceAlreadyExistsError when the name or the id is taken. */
  async create(record: NamespaceRecord): Promise<void> {
    try {
      await this.store.createNamespace(record);
    } finally {
      this.invalidate(refOf(record));
    }
  }

  /** Conditional on the stored config version (see NamespaceStore.updateNamespace). */
  async update(record: NamespaceRecord, expectedConfigVersion: number): Promise<void> {
    try {
      await this.store.updateNamespace(record, expectedConfigVersion);
    } finally {
      this.invalidate(refOf(record));
    }
  }

  /** Moves the namespace to record.info.name (see NamespaceStore.renameNamespace); both names are re-read after. */
  async rename(record: NamespaceRecord, previousName: string, expectedConfigVersion: number): Promise<void> {
    try {
      await this.store.renameNamespace(record, previousName, expectedConfigVersion);
    } finally {
      this.invalidate(refOf(record));
      this.invalidate({ id: record.info!.id, name: previousName });
    }
  }

  async delete(record: NamespaceRecord): Promise<void> {
    try {
      await this.store.deleteNamespace(record.info!.id);
    } finally {
      this.invalidate(refOf(record));
    }
  }

  /**
   * The one invalidation path: every write ends here, failed ones too (a conflict or a duplicate means the cached
   * copy is wrong), so the next lookup in this process reads the store.
   */
  private invalidate(ref: NamespaceRef): void {
    this.generation++;
    this.cache.id.delete(ref.id);
    this.cache.name.delete(ref.name);
    this.missing.id.delete(ref.id);
    this.missing.name.delete(ref.name);
    this.loads.id.delete(ref.id);
    this.loads.name.delete(ref.name);
  }

  private lookup(key: Key, value: string, options: ReadOptions): Promise<NamespaceRecord | undefined> {
    if (!options.fresh) {
      const now = this.now();
      const cached = this.cache[key].get(value);
      if (cached && cached.expires > now) return Promise.resolve(cached.record);
      if ((this.missing[key].get(value) ?? 0) > now) return Promise.resolve(undefined);
      const pending = this.loads[key].get(value);
      if (pending) return pending;
    }
    const load = this.load(key, value).finally(() => {
      if (this.loads[key].get(value) === load) this.loads[key].delete(value);
    });
    this.loads[key].set(value, load);
    return load;
  }

  private async load(key: Key, value: string): Promise<NamespaceRecord | undefined> {
    const generation = this.generation;
    const record = key === 'id' ? await this.store.getNamespaceById(value) : await this.store.getNamespaceByName(value);
    if (generation !== this.generation) return record;
    const now = this.now();
    if (record) {
      const cached = { record, expires: now + this.refreshIntervalMs };
      this.cache.id.set(record.info!.id, cached);
      this.cache.name.set(record.info!.name, cached);
      this.missing.id.delete(record.info!.id);
      this.missing.name.delete(record.info!.name);
    } else {
      this.cache[key].delete(value);
      this.rememberMissing(this.missing[key], value, now);
    }
    return record;
  }

  /** Kept bounded without a timer: every entry lives equally long, so the expired ones are all at the front. */
  private rememberMissing(missing: Map<string, number>, value: string, now: number): void {
    missing.delete(value);
    for (const [oldest, expires] of missing) {
      if (expires > now) break;
      missing.delete(oldest);
    }
    missing.set(value, now + this.notFoundTtlMs);
  }
}

/** Workflow calls treat a namespace in state DELETED as absent. */
function usable(record: NamespaceRecord, reference: string): NamespaceRecord {
  if (record.info?.state === NamespaceState.NAMESPACE_STATE_DELETED) throw namespaceNotFound(reference);
  return record;
}

function refOf(record: NamespaceRecord): NamespaceRef {
  return { id: record.info!.id, name: record.info!.name };
}

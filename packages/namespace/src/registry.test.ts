import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { openSqliteStores, type NamespaceStore, type PersistenceStores } from '@tempora/persistence';
import { NamespaceState } from '@tempora/proto/enums';
import { NamespaceRecord } from '@tempora/proto/persistence';
import { Code } from '@tempora/rpc';
import { NamespaceRegistry } from './registry.js';

const REFRESH_MS = 10_000;
const NOT_FOUND_MS = 1_000;

function namespaceRecord(name: string, description = ''): NamespaceRecord {
  return NamespaceRecord.fromPartial({
    info: { id: randomUUID(), name, state: NamespaceState.NAMESPACE_STATE_REGISTERED, description },
    config: { workflowExecutionRetentionTtl: { seconds: 86_400 } },
    configVersion: 0,
  });
}

function changed(record: NamespaceRecord, change: (next: NamespaceRecord) => void): NamespaceRecord {
  const next = NamespaceRecord.fromPartial(record);
  change(next);
  next.configVersion = record.configVersion + 1;
  return next;
}

/** The real store, counting the reads that reach it. */
function countingReads(store: NamespaceStore): { store: NamespaceStore; reads: () => number } {
  let reads = 0;
  return {
    store: {
      ...store,
      getNamespaceByName: (name) => (reads++, store.getNamespaceByName(name)),
      getNamespaceById: (id) => (reads++, store.getNamespaceById(id)),
    },
    reads: () => reads,
  };
}

describe('NamespaceRegistry', () => {
  let stores: PersistenceStores;
  let now: number;
  const clock = () => now;
  const registryOver = (store: NamespaceStore) =>
    new NamespaceRegistry(store, { refreshIntervalMs: REFRESH_MS, notFoundTtlMs: NOT_FOUND_MS, now: clock });

  beforeEach(() => {
    stores = openSqliteStores();
    now = 1_000_000;
  });
  afterEach(async () => {
    await stores.close();
  });

  it('serves a cached namespace without reading the store, by name and by id', async () => {
    const record = namespaceRecord('orders');
    await stores.namespaces.createNamespace(record);
    const counted = countingReads(stores.namespaces);
    const registry = registryOver(counted.store);

    expect((await registry.getByName('orders')).info!.id).toBe(record.info!.id);
    expect(counted.reads()).toBe(1);
    await registry.getByName('orders');
    await registry.resolveId('orders');
    expect(await registry.refById(record.info!.id)).toEqual({ id: record.info!.id, name: 'orders' });
    expect(counted.reads()).toBe(1);
  });

  it('reads one namespace once for concurrent misses', async () => {
    await stores.namespaces.createNamespace(namespaceRecord('orders'));
    const counted = countingReads(stores.namespaces);
    const registry = registryOver(counted.store);

    await Promise.all([registry.getByName('orders'), registry.getByName('orders'), registry.refByName('orders')]);
    expect(counted.reads()).toBe(1);
  });

  it('reads through on a miss, so a namespace registered elsewhere a moment ago is found', async () => {
    const registry = registryOver(stores.namespaces);
    const other = registryOver(stores.namespaces);
    await other.create(namespaceRecord('fresh'));

    expect((await registry.resolve('fresh')).info!.name).toBe('fresh');
  });

  it('sees its own writes at once', async () => {
    const registry = registryOver(stores.namespaces);
    await expect(registry.getByName('orders')).rejects.toMatchObject({ code: Code.NOT_FOUND });

    const record = namespaceRecord('orders', 'v1');
    await registry.create(record);
    expect((await registry.getByName('orders')).info!.description).toBe('v1');

    await registry.update(
      changed(record, (next) => (next.info!.description = 'v2')),
      record.configVersion,
    );
    expect((await registry.getByName('orders')).info!.description).toBe('v2');
    expect((await registry.getById(record.info!.id)).info!.description).toBe('v2');

    await registry.delete(record);
    await expect(registry.getByName('orders')).rejects.toMatchObject({ code: Code.NOT_FOUND });
    await expect(registry.refById(record.info!.id)).rejects.toMatchObject({ code: Code.NOT_FOUND });
  });

  it('does not cache what a read returned when a write landed while it was under way', async () => {
    const record = namespaceRecord('orders', 'v1');
    await stores.namespaces.createNamespace(record);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const registry = registryOver({
      ...stores.namespaces,
      getNamespaceByName: async (name) => {
        const found = await stores.namespaces.getNamespaceByName(name);
        await gate;
        return found;
      },
    });
    const reading = registry.getByName('orders');
    await registry.update(
      changed(record, (next) => (next.info!.description = 'v2')),
      record.configVersion,
    );
    release();

    expect((await reading).info!.description).toBe('v1');
    expect((await registry.getByName('orders')).info!.description).toBe('v2');
  });

  it('drops the cached copy when a conditional update loses, so a retry reads the current one', async () => {
    const registry = registryOver(stores.namespaces);
    const other = registryOver(stores.namespaces);
    const record = namespaceRecord('orders', 'v1');
    await registry.create(record);
    const stale = await registry.getByName('orders');
    await other.update(
      changed(record, (next) => (next.info!.description = 'other')),
      record.configVersion,
    );

    await expect(
      registry.update(
        changed(stale, (next) => (next.info!.description = 'mine')),
        stale.configVersion,
      ),
    ).rejects.toThrow();
    expect((await registry.getByName('orders')).info!.description).toBe('other');
  });

  it('picks up another process’s change once its copy is older than the refresh interval', async () => {
    const registry = registryOver(stores.namespaces);
    const other = registryOver(stores.namespaces);
    const record = namespaceRecord('orders', 'v1');
    await other.create(record);
    expect((await registry.getByName('orders')).info!.description).toBe('v1');

    await other.update(
      changed(record, (next) => (next.info!.description = 'v2')),
      record.configVersion,
    );
    now += REFRESH_MS - 1;
    expect((await registry.getByName('orders')).info!.description).toBe('v1');
    expect((await registry.getByName('orders', { fresh: true })).info!.description).toBe('v2');
    now += 1;
    expect((await registry.getById(record.info!.id)).info!.description).toBe('v2');
  });

  it('remembers "not found" only briefly', async () => {
    const counted = countingReads(stores.namespaces);
    const registry = registryOver(counted.store);
    const other = registryOver(stores.namespaces);

    expect(await registry.refByName('later')).toBeUndefined();
    expect(await registry.refByName('later')).toBeUndefined();
    expect(counted.reads()).toBe(1);

    const record = namespaceRecord('later');
    await other.create(record);
    now += NOT_FOUND_MS;
    expect(await registry.refByName('later')).toEqual({ id: record.info!.id, name: 'later' });
  });

  it('treats a DELETED namespace as absent for workflow calls, not for lookups', async () => {
    const registry = registryOver(stores.namespaces);
    const record = namespaceRecord('gone');
    await registry.create(record);
    await registry.update(
      changed(record, (next) => (next.info!.state = NamespaceState.NAMESPACE_STATE_DELETED)),
      0,
    );

    await expect(registry.resolve('gone')).rejects.toMatchObject({ code: Code.NOT_FOUND });
    await expect(registry.resolveById(record.info!.id)).rejects.toMatchObject({ code: Code.NOT_FOUND });
    expect((await registry.getByName('gone')).info!.state).toBe(NamespaceState.NAMESPACE_STATE_DELETED);
    expect(await registry.refByName('gone')).toEqual({ id: record.info!.id, name: 'gone' });
  });

  it('answers NOT_FOUND for an unknown namespace and INVALID_ARGUMENT for a missing or overlong name', async () => {
    const registry = registryOver(stores.namespaces);
    await expect(registry.getByName('nope')).rejects.toMatchObject({ code: Code.NOT_FOUND });
    await expect(registry.getById(randomUUID())).rejects.toMatchObject({ code: Code.NOT_FOUND });
    await expect(registry.resolve('nope')).rejects.toMatchObject({ code: Code.NOT_FOUND });
    await expect(registry.resolve('')).rejects.toMatchObject({ code: Code.INVALID_ARGUMENT });
    await expect(registry.resolve('x'.repeat(1001))).rejects.toMatchObject({ code: Code.INVALID_ARGUMENT });
    await expect(registry.resolveById('')).rejects.toMatchObject({ code: Code.INVALID_ARGUMENT });
  });
});

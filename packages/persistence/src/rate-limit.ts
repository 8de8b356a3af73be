// Upstream's history/matching.persistenceMaxQPS: a view of the stores whose calls each take a token from the host's
// budget and fail at once when none is left (upstream's rate-limited persistence clients do not wait either), so a
// burst is refused before it reaches the store. Calls that keep ownership alive (shard range ids, task-queue leases)
// and the cached metadata reads are never refused: refusing them would lose a shard or a lease, not protect the store.
import type { PersistenceStores } from './contract.js';

export interface StoreRateLimit {
  /** Takes one token; false when the budget is spent. */
  tryTake(): boolean;
  /** The error a refused call fails with (the caller's RESOURCE_EXHAUSTED). */
  refused(): Error;
}

const LIMITED = ['executions', 'history', 'taskQueues'] as const;
const OWNERSHIP_CALLS = new Set(['getOrCreateTaskQueue', 'updateTaskQueue']);

/** `stores` with the executions, history and task-queue calls (ownership calls aside) drawn from `limit`. */
export function rateLimitStores(stores: PersistenceStores, limit: StoreRateLimit): PersistenceStores {
  const view = Object.create(stores) as Record<string, unknown>;
  for (const key of LIMITED) {
    const store = stores[key] as unknown as Record<string, unknown>;
    const limited = Object.create(store) as Record<string, unknown>;
    for (const name of storeMethodNames(store)) {
      if (OWNERSHIP_CALLS.has(name)) continue;
      const method = store[name] as (...args: unknown[]) => Promise<unknown>;
      limited[name] = (...args: unknown[]) =>
        limit.tryTake() ? method.apply(store, args) : Promise.reject(limit.refused());
    }
    view[key] = limited;
  }
  view['close'] = () => stores.close();
  return view as unknown as PersistenceStores;
}

/** The function-valued properties of a store and its prototypes (class methods), without Object's: what a view wraps. */
export function storeMethodNames(store: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = store; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name !== 'constructor' && typeof (store as Record<string, unknown>)[name] === 'function') names.add(name);
    }
  }
  return [...names];
}

// Namespace names and ids for the events history writes about other runs (children, external signal/cancel):
// commands name a namespace, events carry both its name and id. Cached briefly; a rename is rare.
import type { NamespaceStore } from '@tempora/persistence';
import { namespaceNotFound } from '@tempora/rpc';

const CACHE_TTL_MS = 10_000;

export interface NamespaceRef {
  id: string;
  name: string;
}

export class NamespaceNames {
  private readonly idCache = new Map<string, { ref: NamespaceRef; expires: number }>();
  private readonly nameCache = new Map<string, { ref: NamespaceRef; expires: number }>();

  constructor(private readonly store: NamespaceStore) {}

  async byIdOrThrow(id: string): Promise<NamespaceRef> {
    const cached = this.idCache.get(id);
    if (cached && cached.expires > Date.now()) return cached.ref;
    const record = await this.store.getNamespaceById(id);
    if (!record) throw namespaceNotFound(id);
    return this.remember({ id, name: record.info!.name });
  }

  /** Undefined when no namespace has the name. */
  async byName(name: string): Promise<NamespaceRef | undefined> {
    const cached = this.nameCache.get(name);
    if (cached && cached.expires > Date.now()) return cached.ref;
    const record = await this.store.getNamespaceByName(name);
    return record ? this.remember({ id: record.info!.id, name }) : undefined;
  }

  private remember(ref: NamespaceRef): NamespaceRef {
    const entry = { ref, expires: Date.now() + CACHE_TTL_MS };
    this.idCache.set(ref.id, entry);
    this.nameCache.set(ref.name, entry);
    return ref;
  }
}

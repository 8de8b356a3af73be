// Worker heartbeats (upstream service/matching/workers): the latest heartbeat of every worker instance, per namespace,
// in this host's memory. A namespace's heartbeats all come to the matching host owning its registry key (see
// WORKER_REGISTRY_KEY), so a restart or a move of that key forgets them until the workers' next heartbeats, as
// upstream's in-memory registry does. Entries expire 5 minutes after their last heartbeat (upstream's
// matching.workerRegistryEntryTTL); expired ones are never answered and are swept once a minute.
import type { WorkerHeartbeat, WorkerListInfo } from '@tempora/proto/worker';
import { WorkerStatus } from '@tempora/proto/enums';
import { notFound } from '@tempora/rpc';
import { compileWorkerQuery, type WorkerPredicate } from './worker-query.js';

export const WORKER_ENTRY_TTL_MS = 5 * 60_000;
/** Upstream's matching.workerRegistryMaxEntries: beyond it the oldest heartbeats are dropped first. */
const MAX_ENTRIES = 1_000_000;
/** The per-namespace system worker of upstream (and of Tempora's worker service) polls this queue. */
const SYSTEM_TASK_QUEUE_PREFIX = 'temporal-sys-';

interface Entry {
  heartbeat: WorkerHeartbeat;
  receivedAt: number;
}

export class WorkerRegistry {
  /** Per namespace id, by worker instance key, in order of the last heartbeat (a Map keeps insertion order). */
  private readonly namespaces = new Map<string, Map<string, Entry>>();
  private size = 0;

  constructor(
    private readonly ttlMs = WORKER_ENTRY_TTL_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  record(namespaceId: string, heartbeats: readonly WorkerHeartbeat[]): void {
    let workers = this.namespaces.get(namespaceId);
    if (!workers) {
      workers = new Map();
      this.namespaces.set(namespaceId, workers);
    }
    const now = this.clock();
    for (const heartbeat of heartbeats) {
      if (!heartbeat.workerInstanceKey) continue;
      if (workers.delete(heartbeat.workerInstanceKey)) this.size--;
      workers.set(heartbeat.workerInstanceKey, { heartbeat, receivedAt: now });
      this.size++;
    }
    // Over the cap, this namespace's oldest heartbeats make room (the writer pays for its own growth).
    for (const key of workers.keys()) {
      if (this.size <= MAX_ENTRIES) break;
      workers.delete(key);
      this.size--;
    }
  }

  /** The live heartbeats of a namespace matching the List Filter `query`, in worker instance key order. */
  list(namespaceId: string, query: string, includeSystemWorkers: boolean): WorkerHeartbeat[] {
    const matches: WorkerPredicate = compileWorkerQuery(query);
    return this.live(namespaceId)
      .filter((hb) => includeSystemWorkers || !hb.taskQueue.startsWith(SYSTEM_TASK_QUEUE_PREFIX))
      .filter(matches)
      .sort((a, b) => (a.workerInstanceKey < b.workerInstanceKey ? -1 : 1));
  }

  describe(namespaceId: string, workerInstanceKey: string): WorkerHeartbeat {
    const entry = this.namespaces.get(namespaceId)?.get(workerInstanceKey);
    if (!entry || this.expired(entry)) throw notFound(`Worker ${workerInstanceKey} not found`);
    return entry.heartbeat;
  }

  /** Drops expired entries; entries are in heartbeat order, so each namespace is swept from its front. */
  evictExpired(): void {
    for (const [namespaceId, workers] of this.namespaces) {
      for (const [key, entry] of workers) {
        if (!this.expired(entry)) break;
        workers.delete(key);
        this.size--;
      }
      if (!workers.size) this.namespaces.delete(namespaceId);
    }
  }

  private live(namespaceId: string): WorkerHeartbeat[] {
    const workers = this.namespaces.get(namespaceId);
    if (!workers) return [];
    return [...workers.values()].filter((e) => !this.expired(e)).map((e) => e.heartbeat);
  }

  private expired(entry: Entry): boolean {
    return this.clock() - entry.receivedAt >= this.ttlMs;
  }
}

/** A heartbeat's entry in ListWorkers' `workers` (WorkerListInfo). */
export function workerListInfo(hb: WorkerHeartbeat): WorkerListInfo {
  return {
    workerInstanceKey: hb.workerInstanceKey,
    workerIdentity: hb.workerIdentity,
    taskQueue: hb.taskQueue,
    deploymentVersion: hb.deploymentVersion,
    sdkName: hb.sdkName,
    sdkVersion: hb.sdkVersion,
    status: hb.status || WorkerStatus.WORKER_STATUS_UNSPECIFIED,
    startTime: hb.startTime,
    hostName: hb.hostInfo?.hostName ?? '',
    workerGroupingKey: hb.hostInfo?.workerGroupingKey ?? '',
    processId: hb.hostInfo?.processId ?? '',
    plugins: hb.plugins,
    drivers: hb.drivers,
  };
}

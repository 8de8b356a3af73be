// Moves a shard's visibility tasks into the VisibilityStore, in task-id order, a page at a time as one bulk write
// (the read/ack/retry loop is the shared ImmediateQueue).
// A task is deleted (acked) only after the store acknowledged its write, so a crash replays it; the store ignores a
// write older than what it holds, so replays are harmless. A failed write is retried with backoff, holding back
// the tasks after it, so updates of a run are never applied out of order.
import type { Logger } from '@tempora/common';
import type { NamespaceRegistry } from '@tempora/namespace';
import type { HistoryTask, PersistenceStores } from '@tempora/persistence';
import { VisibilityTaskBody, VisibilityTaskKind } from '@tempora/proto/persistence';
import { NamespaceSearchAttributes, type VisibilityStore, type VisibilityWrite } from '@tempora/visibility';
import type { ExecutionManager } from '../execution-manager.js';
import type { Shard } from '../shard.js';
import { ImmediateQueue, type ImmediateQueueOptions } from './immediate-queue.js';
import { ignoreNotFound } from './not-found.js';
import { unresolvedSearchAttribute, visibilityRecord } from './visibility-record.js';

type PageHandler = ImmediateQueueOptions['handlePage'];

const PAGE_SIZE = 500;
/** Resolves system and predefined attributes only. */
const NO_ALIASES = new NamespaceSearchAttributes();
const MIN_RETRY_DELAY_MS = 200;
const MAX_RETRY_DELAY_MS = 30_000;

export class VisibilityQueue {
  private readonly queue: ImmediateQueue;

  constructor(
    shard: Shard,
    stores: PersistenceStores,
    private readonly namespaces: NamespaceRegistry,
    private readonly executions: ExecutionManager,
    visibility: VisibilityStore,
    logger: Logger,
    /** Wraps the page handler (task metrics); none = as it is. */
    measure: (handlePage: PageHandler) => PageHandler = (handlePage) => handlePage,
  ) {
    const options: ImmediateQueueOptions = {
      category: 'visibility',
      pageSize: PAGE_SIZE,
      minRetryDelayMs: MIN_RETRY_DELAY_MS,
      maxRetryDelayMs: MAX_RETRY_DELAY_MS,
      // One bulk write per page: all of it is done, or none.
      handlePage: measure(async (tasks) => {
        try {
          await visibility.write(await this.writesFor(tasks));
          return { done: tasks.length };
        } catch (error) {
          return { done: 0, error };
        }
      }),
    };
    this.queue = new ImmediateQueue(shard, stores, options, logger);
  }

  record(tasks: readonly HistoryTask[]): void {
    this.queue.record(tasks);
  }

  readStoreAgain(): void {
    this.queue.readStoreAgain();
  }

  notify(): void {
    this.queue.notify();
  }

  stop(): void {
    this.queue.stop();
  }

  private async writesFor(tasks: HistoryTask[]): Promise<VisibilityWrite[]> {
    // A run's custom attributes are mapped with the namespace read fresh, once per page (a record mapped with stale
    // aliases would lose an attribute added a moment ago, or index a removed one under its field's next alias). A run
    // with system and predefined attributes only needs no namespace: most runs, and the read is two store
    // round trips on Cassandra.
    const aliasesByNamespace = new Map<string, NamespaceSearchAttributes>();
    const aliasesOf = async (namespaceId: string) => {
      let attributes = aliasesByNamespace.get(namespaceId);
      if (!attributes) {
        const namespace = await this.namespaces.getById(namespaceId, { fresh: true }).catch(ignoreNotFound);
        attributes = new NamespaceSearchAttributes(namespace?.config?.customSearchAttributeAliases ?? {});
        aliasesByNamespace.set(namespaceId, attributes);
      }
      return attributes;
    };
    const writes: VisibilityWrite[] = [];
    for (const task of tasks) {
      const { kind } = VisibilityTaskBody.decode(task.data);
      if (kind === VisibilityTaskKind.VISIBILITY_TASK_KIND_DELETE) {
        writes.push({
          kind: 'delete',
          namespaceId: task.namespaceId,
          workflowId: task.workflowId,
          runId: task.runId,
          version: task.taskId,
        });
        continue;
      }
      const key = { namespaceId: task.namespaceId, workflowId: task.workflowId, runId: task.runId };
      // The run's current state: a later task's write carries a higher version and wins anyway.
      const build = (attributes: NamespaceSearchAttributes) =>
        this.executions
          .read(key, (ms) => ({
            record: visibilityRecord(ms.state, attributes, task.taskId),
            custom: unresolvedSearchAttribute(ms.state, attributes),
          }))
          .catch(ignoreNotFound);
      let built = await build(NO_ALIASES);
      if (built?.custom) built = await build(await aliasesOf(task.namespaceId));
      if (built) writes.push({ kind: 'upsert', record: built.record });
    }
    return writes;
  }
}

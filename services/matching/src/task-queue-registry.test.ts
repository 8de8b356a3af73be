import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createLogger } from '@tempora/common';
import { openSqliteStores, type PersistenceStores, type TaskQueueKey } from '@tempora/persistence';
import { AddWorkflowTaskRequest } from '@tempora/proto/internal';
import { TaskQueueType } from '@tempora/proto/enums';
import { Code, isOwnershipLost } from '@tempora/rpc';
import { TaskQueueRegistry } from './task-queue-registry.js';

const key: TaskQueueKey = { namespaceId: 'ns-1', name: 'orders', taskType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW };
const IDLE_MS = 60_000;

describe('TaskQueueRegistry', () => {
  let stores: PersistenceStores;
  let registry: TaskQueueRegistry<AddWorkflowTaskRequest>;
  /** Queue names the ring assigns to another host. */
  let ownedElsewhere: Set<string>;

  beforeEach(() => {
    stores = openSqliteStores();
    const logger = createLogger('silent');
    ownedElsewhere = new Set();
    const ownerOf = (k: TaskQueueKey) =>
      ownedElsewhere.has(k.name) ? { here: false, address: '127.0.0.1:9' } : { here: true, address: '127.0.0.1:7235' };
    registry = new TaskQueueRegistry({
      store: stores.taskQueues,
      codec: AddWorkflowTaskRequest,
      logger,
      ownerOf,
      identity: 'matching-a',
    });
  });

  it('rejects a queue the ring assigns elsewhere with an ownership-lost error naming the owner', async () => {
    ownedElsewhere.add(key.name);
    const err = await registry.get(key, false).catch((e: unknown) => e);
    expect(isOwnershipLost(err)).toBe(true);
    expect((err as { code: number }).code).toBe(Code.UNAVAILABLE);
    expect((await stores.taskQueues.getOrCreateTaskQueue(key)).rangeId).toBe(0);
  });

  it('unloads queues that moved to another host and ends their polls with no task', async () => {
    const moving = await registry.get(key, false);
    const staying = await registry.get({ ...key, name: 'staying' }, false);
    const poll = moving.poll(Date.now() + 30_000, new AbortController().signal);
    ownedElsewhere.add(key.name);
    await registry.unloadUnowned();
    await expect(poll).resolves.toBeUndefined();
    expect(registry.find(key)).toBeUndefined();
    expect(registry.find({ ...key, name: 'staying' })).toBe(staying);
  });

  afterEach(async () => {
    await registry.close();
    await stores.close();
  });

  it('loads one manager per queue, leasing it once even for concurrent first uses', async () => {
    const [first, second] = await Promise.all([registry.get(key, false), registry.get(key, false)]);
    expect(first).toBe(second);
    expect((await stores.taskQueues.getOrCreateTaskQueue(key)).rangeId).toBe(1);
  });

  it('unloads a queue idle for the given time, but not one with a waiting poller', async () => {
    const quiet = await registry.get(key, false);
    const busyKey = { ...key, name: 'busy' };
    const busy = await registry.get(busyKey, true);
    const cancel = new AbortController();
    const poll = busy.poll(Date.now() + 30_000, cancel.signal);

    await registry.unloadIdle(Date.now() + IDLE_MS, IDLE_MS);

    expect(registry.find(key)).toBeUndefined();
    expect(registry.find(busyKey)).toBe(busy);
    const unloaded = quiet.addTask(AddWorkflowTaskRequest.fromPartial({}));
    await expect(unloaded).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    cancel.abort();
    await poll;
  });
});

// The visibility queue against real stores: tasks are written with the state change, survive a failing
// visibility store and a restart, and are acked only after the store has the record.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createLogger } from '@tempora/common';
import { NamespaceRegistry } from '@tempora/namespace';
import { openSqliteStores, type HistoryTask, type PersistenceStores } from '@tempora/persistence';
import { EventType, WorkflowExecutionStatus } from '@tempora/proto/enums';
import { VisibilityTaskKind, NamespaceRecord } from '@tempora/proto/persistence';
import { PrometheusMetrics } from '@tempora/telemetry';
import { openSqliteVisibilityStore, type VisibilityStore, type VisibilityWrite } from '@tempora/visibility';
import { HistoryMetrics, visibilityTaskType } from '../engine-metrics.js';
import { EventNotifier } from '../event-notifier.js';
import { ExecutionManager } from '../execution-manager.js';
import { newMutableState } from '../mutable-state.js';
import { Shard } from '../shard.js';
import { VisibilityQueue } from './visibility-queue.js';

const logger = createLogger('silent');
const { WORKFLOW_EXECUTION_STATUS_RUNNING: RUNNING, WORKFLOW_EXECUTION_STATUS_COMPLETED: COMPLETED } =
  WorkflowExecutionStatus;

/** The real SQLite visibility store behind a switch that makes writes fail, as an unreachable Elasticsearch would. */
class SwitchableStore implements VisibilityStore {
  readonly name = 'switchable';
  readonly supportsOrderBy = false;
  failing = false;
  failedWrites = 0;
  constructor(readonly inner: VisibilityStore) {}
  async write(writes: VisibilityWrite[]): Promise<void> {
    if (this.failing) {
      this.failedWrites++;
      throw new Error('visibility store unavailable');
    }
    await this.inner.write(writes);
  }
  list(request: Parameters<VisibilityStore['list']>[0]) {
    return this.inner.list(request);
  }
  count(request: Parameters<VisibilityStore['count']>[0]) {
    return this.inner.count(request);
  }
  get(namespaceId: string, runId: string) {
    return this.inner.get(namespaceId, runId);
  }
  close() {
    return this.inner.close();
  }
}

interface Host {
  executions: ExecutionManager;
  queue: VisibilityQueue;
}

async function startHost(
  stores: PersistenceStores,
  visibility: VisibilityStore,
  metrics?: HistoryMetrics,
): Promise<Host> {
  const shard = await Shard.acquire(1, stores, logger, `test-${randomUUID()}`);
  const listener = {
    tasksCommitted: (tasks: readonly HistoryTask[]) =>
      queue.record(tasks.filter((task) => task.category === 'visibility')),
    writeOutcomeUnknown: () => queue.readStoreAgain(),
    transferTasksWritten: () => {},
    timerTasksWritten: () => {},
    retentionTasksWritten: () => {},
    visibilityTasksWritten: () => queue.notify(),
  };
  const executions = new ExecutionManager(shard, stores, new EventNotifier(), listener, logger);
  const queue: VisibilityQueue = new VisibilityQueue(
    shard,
    stores,
    new NamespaceRegistry(stores.namespaces),
    executions,
    visibility,
    logger,
    metrics && ((page) => metrics.measurePages(visibilityTaskType, page)),
  );
  queue.notify();
  return { executions, queue };
}

async function until<T>(fn: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('visibility queue', () => {
  let stores: PersistenceStores;
  let visibility: SwitchableStore;
  let hosts: Host[];
  const namespaceId = randomUUID();

  beforeEach(async () => {
    stores = openSqliteStores();
    visibility = new SwitchableStore(openSqliteVisibilityStore());
    hosts = [];
    await stores.namespaces.createNamespace(
      NamespaceRecord.fromPartial({
        info: { id: namespaceId, name: 'vis' },
        config: { customSearchAttributeAliases: { Keyword01: 'Color' } },
      }),
    );
  });

  afterEach(async () => {
    for (const host of hosts ?? []) host.queue.stop();
    await visibility.close();
    await stores.close();
  });

  const pendingTasks = async () =>
    (
      await stores.executions.getHistoryTasks({
        shardId: 1,
        category: 'visibility',
        exclusiveMinTaskId: 0,
        inclusiveMaxTaskId: Number.MAX_SAFE_INTEGER,
        pageSize: 100,
      })
    ).items;

  const keyword = (value: string) => ({
    metadata: { encoding: Buffer.from('json/plain') },
    data: Buffer.from(JSON.stringify(value)),
  });

  async function startRun(
    host: Host,
    indexedFields: Record<string, ReturnType<typeof keyword>> = { Color: keyword('red') },
  ): Promise<{ workflowId: string; runId: string }> {
    const key = { namespaceId, workflowId: `wf-${randomUUID()}`, runId: randomUUID() };
    const ms = newMutableState({
      ...key,
      workflowType: 'VisibilityTest',
      taskQueue: 'q',
      status: RUNNING,
      startTime: new Date(),
      searchAttributes: { indexedFields },
    });
    ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, {
      workflowExecutionStartedEventAttributes: { workflowType: { name: 'VisibilityTest' } },
    });
    await host.executions.create(ms, { kind: 'brand-new' });
    return key;
  }

  it('records a started run with its custom attributes under their field, then its close', async () => {
    const host = await startHost(stores, visibility);
    hosts.push(host);
    const run = await startRun(host);
    const started = await until(() => visibility.get(namespaceId, run.runId), 'the started record');
    expect(started).toMatchObject({
      workflowId: run.workflowId,
      status: RUNNING,
      searchAttributes: { Keyword01: 'red' },
    });
    expect(started.historyLength).toBe(1);

    await host.executions.update({ namespaceId, ...run }, (ms) => {
      ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, { workflowExecutionCompletedEventAttributes: {} });
      ms.setStatus(COMPLETED);
    });
    const closed = await until(async () => {
      const record = await visibility.get(namespaceId, run.runId);
      return record?.status === COMPLETED ? record : undefined;
    }, 'the closed record');
    expect(closed.closeTime).toBeGreaterThanOrEqual(closed.startTime);
    expect(closed.executionDuration).toBeGreaterThanOrEqual(0);
    // Acked tasks are deleted from the store in the background, about a second later.
    await until(async () => ((await pendingTasks()).length === 0 ? true : undefined), 'the acked tasks deleted');
  });

  it('reads the namespace for a run with custom attributes only, fresh once per page', async () => {
    const host = await startHost(stores, visibility);
    hosts.push(host);
    let reads = 0;
    const read = stores.namespaces.getNamespaceById.bind(stores.namespaces);
    stores.namespaces.getNamespaceById = (id) => {
      reads++;
      return read(id);
    };
    const plain = await startRun(host, {});
    expect(await until(() => visibility.get(namespaceId, plain.runId), 'the plain record')).toMatchObject({
      searchAttributes: {},
    });
    expect(reads).toBe(0);

    const colored = await startRun(host);
    expect(await until(() => visibility.get(namespaceId, colored.runId), 'the colored record')).toMatchObject({
      searchAttributes: { Keyword01: 'red' },
    });
    expect(reads).toBe(1);

    // Another host adds an alias: this host's registry has just cached the namespace without it.
    await stores.namespaces.updateNamespace(
      NamespaceRecord.fromPartial({
        info: { id: namespaceId, name: 'vis' },
        config: { customSearchAttributeAliases: { Keyword01: 'Color', Keyword02: 'Size' } },
        configVersion: 1,
      }),
      0,
    );
    const sized = await startRun(host, { Color: keyword('blue'), Size: keyword('large') });
    expect(await until(() => visibility.get(namespaceId, sized.runId), 'the sized record')).toMatchObject({
      searchAttributes: { Keyword01: 'blue', Keyword02: 'large' },
    });
    expect(reads).toBe(2);
  });

  it('keeps the task while the store fails, retries, and acks only after the write', async () => {
    visibility.failing = true;
    const host = await startHost(stores, visibility);
    hosts.push(host);
    const run = await startRun(host);
    await until(async () => (visibility.failedWrites >= 2 ? true : undefined), 'two failed attempts');
    expect(await visibility.get(namespaceId, run.runId)).toBeUndefined();
    expect((await pendingTasks()).map((t) => t.runId)).toEqual([run.runId]);

    visibility.failing = false;
    await until(() => visibility.get(namespaceId, run.runId), 'the record after the store recovered');
    await until(async () => ((await pendingTasks()).length === 0 ? true : undefined), 'the task to be acked');
  });

  it('reports task_requests, task_errors, task_latency and task_attempt with upstream visibility task types', async () => {
    const registry = new PrometheusMetrics({ processMetrics: false });
    const metrics = new HistoryMetrics(registry, (id) => (id === namespaceId ? 'vis' : undefined));
    visibility.failing = true;
    const host = await startHost(stores, visibility, metrics);
    hosts.push(host);
    const run = await startRun(host);
    await until(async () => (visibility.failedWrites >= 1 ? true : undefined), 'a failed attempt');
    visibility.failing = false;
    await until(() => visibility.get(namespaceId, run.runId), 'the started record');
    await host.executions.update({ namespaceId, ...run }, (ms) => {
      ms.addEvent(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, { workflowExecutionCompletedEventAttributes: {} });
      ms.setStatus(COMPLETED);
    });
    await until(async () => {
      const record = await visibility.get(namespaceId, run.runId);
      return record?.status === COMPLETED ? record : undefined;
    }, 'the closed record');

    const text = await registry.exposition();
    const value = (metric: string, type: string) => {
      const tags = `service_name="history",operation="${type}",task_type="${type}",namespace="vis"`;
      const line = text.split('\n').find((l) => l.startsWith(`${metric}{${tags}}`));
      return line === undefined ? undefined : Number(line.split(' ').pop());
    };
    const start = 'VisibilityTaskStartExecution';
    const errors = value('task_errors', start)!;
    expect(errors).toBe(visibility.failedWrites);
    // Every failed attempt and the one that succeeded.
    expect(value('task_requests', start)).toBe(errors + 1);
    expect(value('task_latency_count', start)).toBe(errors + 1);
    expect(value('task_attempt_count', start)).toBe(1);
    expect(value('task_attempt_sum', start)).toBe(errors + 1);
    const close = 'VisibilityTaskCloseExecution';
    expect(value('task_requests', close)).toBe(1);
    expect(value('task_attempt_sum', close)).toBe(1);
    expect(value('task_errors', close)).toBeUndefined();
  });

  it('replays unacked tasks after a restart (a crash before the store write loses nothing)', async () => {
    visibility.failing = true;
    const crashed = await startHost(stores, visibility);
    const run = await startRun(crashed);
    crashed.queue.stop();
    expect(await pendingTasks()).toHaveLength(1);

    visibility.failing = false;
    const restarted = await startHost(stores, visibility);
    hosts.push(restarted);
    await until(() => visibility.get(namespaceId, run.runId), 'the record written by the restarted host');
  });

  it('removes the record when the delete path enqueues VISIBILITY_TASK_KIND_DELETE', async () => {
    const host = await startHost(stores, visibility);
    hosts.push(host);
    const run = await startRun(host);
    await until(() => visibility.get(namespaceId, run.runId), 'the started record');
    await host.executions.update({ namespaceId, ...run }, (ms) =>
      ms.addVisibilityTask(VisibilityTaskKind.VISIBILITY_TASK_KIND_DELETE),
    );
    await until(
      async () => ((await visibility.get(namespaceId, run.runId)) ? undefined : true),
      'the record to be deleted',
    );
  });
});

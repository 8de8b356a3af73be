// The cluster and task-queue RPCs the Web UI and the CLI read: GetClusterInfo's supported clients,
// OperatorService.ListClusters, ListTaskQueuePartitions and DescribeTaskQueue in ENHANCED mode and with the task
// queue status. Passes against the official dev server too (TEMPORA_TEST_ORACLE=<address>).
import { status } from '@grpc/grpc-js';
import { describe, expect, it } from '@jest/globals';
import protos from '@temporalio/proto';
import Long from 'long';
import * as activities from './feature-activities.js';
import { grpcFailure, uniqueName } from './helpers.js';
import { useSdkTarget } from './sdk-support.js';

const { DescribeTaskQueueMode, TaskQueueKind, TaskQueueType } = protos.temporal.api.enums.v1;
const WORKFLOW = TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW;
const ACTIVITY = TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY;
const ENHANCED = DescribeTaskQueueMode.DESCRIBE_TASK_QUEUE_MODE_ENHANCED;

const taskQueue = uniqueName('tq-api');
const sdk = useSdkTarget({ taskQueue, activities });
const num = (value: Long | number | null | undefined) => Long.fromValue(value ?? 0).toNumber();

/** A queue no worker polls, with two workflow tasks waiting on it. */
async function queueWithBacklog(): Promise<string> {
  const name = uniqueName('backlog');
  for (let i = 0; i < 2; i++) {
    await sdk.client.workflow.start('fanOutWorkflow', {
      taskQueue: name,
      workflowId: uniqueName('waiting'),
      args: [1, 0],
    });
  }
  return name;
}

describe('cluster RPCs', () => {
  it("GetClusterInfo lists upstream's supported client versions", async () => {
    const info = await sdk.connection.workflowService.getClusterInfo({});
    expect(info.supportedClients).toEqual({
      'temporal-go': '<2.0.0',
      'temporal-java': '<2.0.0',
      'temporal-php': '<2.0.0',
      'temporal-typescript': '<2.0.0',
      'temporal-cli': '<2.0.0',
      'temporal-server': '<2.0.0',
      'temporal-ui': '<3.0.0',
      'Nexus-go-sdk': '<2.0.0',
    });
  });

  it('ListClusters describes this cluster as GetClusterInfo does', async () => {
    const info = await sdk.connection.workflowService.getClusterInfo({});
    const { clusters } = await sdk.connection.operatorService.listClusters({});
    expect(clusters).toHaveLength(1);
    const [cluster] = clusters!;
    expect(cluster).toMatchObject({
      clusterName: info.clusterName,
      clusterId: info.clusterId,
      historyShardCount: info.historyShardCount,
      isConnectionEnabled: true,
    });
    expect(num(cluster!.initialFailoverVersion)).toBe(1);
    expect(cluster!.address).toMatch(/:\d+$/);
  });
});

describe('ListTaskQueuePartitions', () => {
  it('names the root partition of both task types and its owner', async () => {
    const partitions = await sdk.connection.workflowService.listTaskQueuePartitions({
      namespace: 'default',
      taskQueue: { name: taskQueue },
    });
    for (const list of [partitions.workflowTaskQueuePartitions!, partitions.activityTaskQueuePartitions!]) {
      expect(list[0]!.key).toBe(taskQueue);
      expect(list[0]!.ownerHostName).toBeTruthy();
    }
  });

  it("rejects a missing or reserved name with upstream's messages", async () => {
    for (const [name, message] of [
      ['', 'missing task queue name'],
      [`/_sys/${taskQueue}/1`, 'task queue name cannot start with reserved prefix /_sys/'],
    ]) {
      const failure = await grpcFailure(
        sdk.connection.workflowService.listTaskQueuePartitions({ namespace: 'default', taskQueue: { name } }),
      );
      expect([failure.code, failure.message]).toEqual([status.INVALID_ARGUMENT, message]);
    }
  });
});

describe('DescribeTaskQueue', () => {
  it('reports the task queue status and stats of a backlog', async () => {
    const name = await queueWithBacklog();
    const described = await sdk.connection.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name },
      includeTaskQueueStatus: true,
      reportStats: true,
    });
    expect(num(described.stats!.approximateBacklogCount)).toBe(2);
    const queueStatus = described.taskQueueStatus!;
    expect(num(queueStatus.taskIdBlock!.endId)).toBeGreaterThan(num(queueStatus.taskIdBlock!.startId));
    expect(num(queueStatus.ackLevel)).toBeLessThanOrEqual(num(queueStatus.readLevel));
  });

  it('in ENHANCED mode reports pollers and stats per task type of the unversioned queue', async () => {
    await sdk.client.workflow.execute('fanOutWorkflow', { taskQueue, workflowId: uniqueName('poll'), args: [1, 0] });
    const described = await sdk.connection.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue },
      apiMode: ENHANCED,
      reportPollers: true,
      reportStats: true,
    });
    const typesInfo = described.versionsInfo![''].typesInfo!;
    expect(Object.keys(typesInfo).sort()).toEqual([String(WORKFLOW), String(ACTIVITY)]);
    const identity = sdk.worker.worker.options.identity;
    for (const type of [WORKFLOW, ACTIVITY]) {
      expect(typesInfo[type]!.pollers!.map((p) => p.identity)).toContain(identity);
      expect(num(typesInfo[type]!.stats!.approximateBacklogCount)).toBe(0);
    }

    const backlog = await queueWithBacklog();
    const workflowOnly = await sdk.connection.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: backlog },
      apiMode: ENHANCED,
      taskQueueTypes: [WORKFLOW],
      reportStats: true,
    });
    const info = workflowOnly.versionsInfo![''].typesInfo!;
    expect(Object.keys(info)).toEqual([String(WORKFLOW)]);
    expect(num(info[WORKFLOW]!.stats!.approximateBacklogCount)).toBe(2);
    expect(info[WORKFLOW]!.pollers ?? []).toEqual([]);
  });

  it("rejects ENHANCED mode on a sticky queue with upstream's message", async () => {
    const failure = await grpcFailure(
      sdk.connection.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY },
        apiMode: ENHANCED,
      }),
    );
    expect([failure.code, failure.message]).toEqual([
      status.INVALID_ARGUMENT,
      'Enhanced DescribeTaskQueue is not valid for a sticky queue, use api_mode=UNSPECIFIED or a normal queue.',
    ]);
  });
});

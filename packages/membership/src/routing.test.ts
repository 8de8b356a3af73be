import { describe, expect, it } from '@jest/globals';
import * as historyMessages from '@tempora/proto/internal';
import {
  HistoryServiceService,
  MatchingServiceService,
  ActivityTaskToken,
  WorkflowTaskToken,
} from '@tempora/proto/internal';
import * as matchingMessages from '@tempora/proto/internal';
import { Code, RpcError } from '@tempora/rpc';
import { ClusterMetadataRecord } from '@tempora/proto/persistence';
import { LocalMembership } from './local-membership.js';
import { ShardLayout } from './shard-layout.js';
import {
  historyRouter,
  historyShardOf,
  matchingKeyOf,
  shardIdFor,
  taskQueueRingKey,
  WORKER_REGISTRY_KEY,
} from './routing.js';

const SHARDS = 16;
const LAYOUT = new ShardLayout(ClusterMetadataRecord.fromPartial({ historyShardCount: SHARDS }));
const ns = 'ns-id';
const wf = 'order-42';
const workflowToken = WorkflowTaskToken.encode(
  WorkflowTaskToken.fromPartial({ namespaceId: ns, workflowId: wf }),
).finish();
const activityToken = ActivityTaskToken.encode(
  ActivityTaskToken.fromPartial({ namespaceId: ns, workflowId: wf, activityId: '1' }),
).finish();
const execution = { workflowId: wf, runId: 'r' };

/** One representative request per HistoryService method: a method added without one fails the coverage test. */
const historySamples: Record<string, unknown> = {
  startWorkflowExecution: { namespaceId: ns, request: { workflowId: wf } },
  recordWorkflowTaskStarted: { namespaceId: ns, execution },
  recordActivityTaskStarted: { namespaceId: ns, execution },
  respondWorkflowTaskCompleted: { namespaceId: ns, request: { taskToken: workflowToken } },
  respondWorkflowTaskFailed: { namespaceId: ns, request: { taskToken: workflowToken } },
  respondActivityTaskCompleted: { namespaceId: ns, request: { taskToken: activityToken } },
  respondActivityTaskFailed: { namespaceId: ns, request: { taskToken: activityToken } },
  respondActivityTaskCanceled: { namespaceId: ns, request: { taskToken: activityToken } },
  recordActivityTaskHeartbeat: { namespaceId: ns, request: { taskToken: activityToken } },
  getWorkflowExecutionHistory: { namespaceId: ns, request: { execution } },
  getWorkflowExecutionHistoryReverse: { namespaceId: ns, request: { execution } },
  describeWorkflowExecution: { namespaceId: ns, request: { execution } },
  resetStickyTaskQueue: { namespaceId: ns, execution },
  // The workflow that signals, cancels or terminates (external_workflow_execution) is not the target.
  signalWorkflowExecution: {
    namespaceId: ns,
    request: { workflowExecution: execution },
    externalWorkflowExecution: { workflowId: 'sender' },
  },
  signalWithStartWorkflowExecution: { namespaceId: ns, request: { workflowId: wf } },
  requestCancelWorkflowExecution: {
    namespaceId: ns,
    request: { workflowExecution: execution },
    externalWorkflowExecution: { workflowId: 'sender' },
  },
  terminateWorkflowExecution: {
    namespaceId: ns,
    request: { workflowExecution: execution },
    externalWorkflowExecution: { workflowId: 'sender' },
  },
  deleteWorkflowExecution: { namespaceId: ns, execution },
  resetWorkflowExecution: { namespaceId: ns, request: { workflowExecution: execution } },
  recordChildExecutionCompleted: {
    namespaceId: ns,
    parentExecution: execution,
    childExecution: { workflowId: 'child' },
  },
  queryWorkflow: { namespaceId: ns, request: { execution } },
  updateWorkflowExecution: { namespaceId: ns, request: { workflowExecution: execution } },
  pollWorkflowExecutionUpdate: { namespaceId: ns, request: { updateRef: { workflowExecution: execution } } },
  updateWithStartWorkflowExecution: {
    namespaceId: ns,
    startRequest: { workflowId: wf },
    updateRequest: { workflowExecution: execution },
  },
  pauseActivity: { namespaceId: ns, request: { execution } },
  unpauseActivity: { namespaceId: ns, request: { execution } },
  resetActivity: { namespaceId: ns, request: { execution } },
  updateActivityOptions: { namespaceId: ns, request: { execution } },
  updateWorkflowExecutionOptions: { namespaceId: ns, request: { workflowExecution: execution } },
};

const matchingSamples: Record<string, unknown> = {
  addWorkflowTask: { namespaceId: ns, taskQueue: { name: 'orders' } },
  addActivityTask: { namespaceId: ns, taskQueue: { name: 'orders' } },
  pollWorkflowTaskQueue: { namespaceId: ns, pollRequest: { taskQueue: { name: 'orders' } } },
  pollActivityTaskQueue: { namespaceId: ns, pollRequest: { taskQueue: { name: 'orders' } } },
  describeTaskQueue: { namespaceId: ns, request: { taskQueue: { name: 'orders' } } },
  shutdownWorker: { namespaceId: ns, stickyTaskQueue: 'orders' },
  dispatchQueryTask: { namespaceId: ns, taskQueue: { name: 'orders' } },
  respondQueryTaskCompleted: { namespaceId: ns, taskId: 't', taskQueue: { name: 'orders' } },
};

/** Namespace-wide matching calls: a namespace's worker registry, on one host. */
const namespaceWideSamples: Record<string, unknown> = {
  recordWorkerHeartbeat: { namespaceId: ns, workerHeartbeat: [{ taskQueue: 'orders' }] },
  listWorkers: { namespaceId: ns, request: {} },
  countWorkers: { namespaceId: ns, request: {} },
  describeWorker: { namespaceId: ns, request: {} },
};

describe('routing keys', () => {
  it('routes every HistoryService request (as decoded from the wire) to the shard of its workflow', () => {
    expect(Object.keys(historySamples).sort()).toEqual(Object.keys(HistoryServiceService).sort());
    for (const [method, sample] of Object.entries(historySamples)) {
      const path = (HistoryServiceService as Record<string, { path: string }>)[method]!.path;
      const type = (historyMessages as unknown as Record<string, { fromPartial(o: unknown): unknown }>)[
        `${path.split('/').pop()}Request`
      ]!;
      expect([method, historyShardOf(method, type.fromPartial(sample), LAYOUT)]).toEqual([
        method,
        shardIdFor(ns, wf, SHARDS),
      ]);
    }
  });

  it('routes every MatchingService request to its task queue', () => {
    expect(Object.keys({ ...matchingSamples, ...namespaceWideSamples }).sort()).toEqual(
      Object.keys(MatchingServiceService).sort(),
    );
    for (const [method, sample] of Object.entries(matchingSamples)) {
      const path = (MatchingServiceService as Record<string, { path: string }>)[method]!.path;
      const type = (matchingMessages as unknown as Record<string, { fromPartial(o: unknown): unknown }>)[
        `${path.split('/').pop()}Request`
      ]!;
      expect([method, matchingKeyOf(method, type.fromPartial(sample))]).toEqual([
        method,
        taskQueueRingKey(ns, 'orders'),
      ]);
    }
  });

  it("routes a namespace's worker-registry calls to one key, whatever queue a heartbeat names", () => {
    for (const [method, sample] of Object.entries(namespaceWideSamples)) {
      expect([method, matchingKeyOf(method, sample)]).toEqual([method, taskQueueRingKey(ns, WORKER_REGISTRY_KEY)]);
    }
  });

  it('prefers an explicit shard id', () => {
    expect(historyShardOf('anything', { shardId: 7, namespaceId: ns, workflowId: wf }, LAYOUT)).toBe(7);
  });

  it('rejects a request that names no workflow or task queue with INVALID_ARGUMENT naming the method', () => {
    const noWorkflow = () => historyShardOf('describeWorkflowExecution', { namespaceId: ns, request: {} }, LAYOUT);
    expect(noWorkflow).toThrow(RpcError);
    expect(noWorkflow).toThrow('HistoryService.describeWorkflowExecution');
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return (err as RpcError).code;
      }
      return undefined;
    };
    expect(codeOf(noWorkflow)).toBe(Code.INVALID_ARGUMENT);
    expect(codeOf(() => matchingKeyOf('addWorkflowTask', { namespaceId: ns }))).toBe(Code.INVALID_ARGUMENT);
    expect(() =>
      historyShardOf(
        'respondWorkflowTaskCompleted',
        { namespaceId: ns, request: { taskToken: Buffer.from([0xff, 0xff]) } },
        LAYOUT,
      ),
    ).toThrow('Error deserializing task token.');
  });

  it('resolves the owner address from the ring, and nothing while the ring is empty', async () => {
    const membership = new LocalMembership();
    const router = historyRouter(membership, LAYOUT);
    const request = { namespaceId: ns, execution };
    expect(router.route('resetStickyTaskQueue', request)).toBeUndefined();
    await membership.register({ service: 'history', identity: 'h1', address: '127.0.0.1:7234', startedTime: 0 });
    expect(router.route('resetStickyTaskQueue', request)).toBe('127.0.0.1:7234');
  });
});

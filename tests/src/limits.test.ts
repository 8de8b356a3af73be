// Size and rate limits with the official SDK: a 3 MiB payload is refused naming the field and leaves no run behind,
// a 3 MiB activity result fails the activity as upstream does, a namespace rate limit trips with upstream's
// ResourceExhaustedFailure and recovers, and limits reload without a restart.
import { describe, expect, it } from '@jest/globals';
import { status as Code } from '@grpc/grpc-js';
import { Connection } from '@temporalio/client';
import protos from '@temporalio/proto';
import { defaultLimits } from '@tempora/common';
import * as activities from './feature-activities.js';
import { grpcFailure, startTestServer, uniqueName, type TestServer } from './helpers.js';
import { useSdkTarget } from './sdk-support.js';
import type * as workflows from './workflows/features.js';

const { google, temporal } = protos;
const MiB = 1024 * 1024;
const taskQueue = uniqueName('limits');
const sdk = useSdkTarget({ taskQueue, activities });

const bigPayloads = () => ({
  payloads: [{ metadata: { encoding: Buffer.from('binary/plain') }, data: Buffer.alloc(3 * MiB, 1) }],
});

describe('payload size limits', () => {
  it('refuses a 3 MiB start input naming the field and the limit, and no run exists afterwards', async () => {
    const workflowId = uniqueName('big');
    const failure = await grpcFailure(
      sdk.connection.workflowService.startWorkflowExecution({
        namespace: 'default',
        workflowId,
        workflowType: { name: 'helloWorkflow' },
        taskQueue: { name: taskQueue },
        input: bigPayloads(),
        requestId: uniqueName('req'),
      }),
    );
    expect(failure.code).toBe(Code.INVALID_ARGUMENT);
    expect(failure.message).toContain('Blob data size exceeds limit.');
    expect(failure.message).toContain('StartWorkflowExecutionRequest.Input');
    expect(failure.message).toContain('(limits.blobSize.error) is 2097152 bytes');
    const describe = await grpcFailure(
      sdk.connection.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId } }),
    );
    expect(describe.code).toBe(Code.NOT_FOUND);
  });

  it('refuses a 3 MiB signal and a 3 MiB memo', async () => {
    const handle = await sdk.client.workflow.start('timerWorkflow', {
      taskQueue: uniqueName('nobody'),
      workflowId: uniqueName('sig'),
      args: [60_000],
    });
    const signal = await grpcFailure(
      sdk.connection.workflowService.signalWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId: handle.workflowId },
        signalName: 's',
        input: bigPayloads(),
      }),
    );
    expect(signal.code).toBe(Code.INVALID_ARGUMENT);
    expect(signal.message).toContain('SignalWorkflowExecutionRequest.Input is 3145748 bytes');
    const memo = await grpcFailure(
      sdk.connection.workflowService.startWorkflowExecution({
        namespace: 'default',
        workflowId: uniqueName('memo'),
        workflowType: { name: 'helloWorkflow' },
        taskQueue: { name: taskQueue },
        memo: { fields: { big: bigPayloads().payloads[0]! } },
        requestId: uniqueName('req'),
      }),
    );
    expect(memo.code).toBe(Code.INVALID_ARGUMENT);
    expect(memo.message).toContain('Memo size exceeds limit. StartWorkflowExecutionRequest.Memo');
    await handle.terminate();
  });

  it('fails an activity whose result is over the limit with "Complete result exceeds size limit."', async () => {
    // The SDK worker enforces the advertised limit itself (TMPRL1103), so the server's own check is driven by hand:
    // the activity goes to a queue no worker polls and the test completes it with a 3 MiB result.
    const activityQueue = uniqueName('raw-activities');
    const outcome = sdk.client.workflow.execute<typeof workflows.activityOutcomeWorkflow>('activityOutcomeWorkflow', {
      taskQueue,
      workflowId: uniqueName('big-result'),
      args: ['echo', ['x'], { taskQueue: activityQueue, startToCloseTimeout: '30s', retry: { maximumAttempts: 1 } }],
    });
    const task = await sdk.connection.withDeadline(Date.now() + 30_000, () =>
      sdk.connection.workflowService.pollActivityTaskQueue({
        namespace: 'default',
        taskQueue: { name: activityQueue },
        identity: 'raw',
      }),
    );
    await sdk.connection.workflowService.respondActivityTaskCompleted({
      namespace: 'default',
      taskToken: task.taskToken,
      result: bigPayloads(),
      identity: 'raw',
    });
    expect(await outcome).toMatchObject({
      failure: {
        name: 'ActivityFailure',
        cause: { name: 'ServerFailure', message: 'Complete result exceeds size limit.' },
      },
    });
  });

  it('advertises the limits in force in DescribeNamespace', async () => {
    const described = await sdk.connection.workflowService.describeNamespace({ namespace: 'default' });
    expect(Number(described.namespaceInfo?.limits?.blobSizeLimitError)).toBe(defaultLimits().blobSize.error);
    expect(Number(described.namespaceInfo?.limits?.memoSizeLimitError)).toBe(defaultLimits().memoSize.error);
  });
});

/** The ResourceExhaustedFailure detail of a failed call. */
async function exhausted(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (err) {
    const e = err as { code: number; details: string; metadata: { get(k: string): unknown[] } };
    const raw = e.metadata.get('grpc-status-details-bin')[0] as Buffer;
    const any = google.rpc.Status.decode(raw).details[0]!;
    expect(any.type_url).toBe('type.googleapis.com/temporal.api.errordetails.v1.ResourceExhaustedFailure');
    const detail = temporal.api.errordetails.v1.ResourceExhaustedFailure.decode(any.value!);
    return { code: e.code, message: e.details, cause: detail.cause, scope: detail.scope };
  }
  return undefined;
}

describe('rate limits', () => {
  it('trips a namespace limit with RESOURCE_EXHAUSTED {RPS_LIMIT, NAMESPACE}, recovers, and reloads', async () => {
    const server: TestServer = await startTestServer({
      configure: (config) => {
        config.limits.frontend.namespaceRps = 5;
        config.limits.frontend.namespaceBurstRatio = 1;
      },
    });
    // No SDK retries: the test wants to see the first RESOURCE_EXHAUSTED.
    const connection = await Connection.connect({ address: server.server.address, interceptors: [] });
    try {
      const describe = () => connection.workflowService.describeNamespace({ namespace: 'default' });
      const results = await Promise.all(Array.from({ length: 10 }, () => exhausted(describe())));
      const refused = results.filter((r) => r !== undefined);
      expect(refused.length).toBeGreaterThanOrEqual(4);
      expect(refused[0]).toEqual({
        code: Code.RESOURCE_EXHAUSTED,
        message: 'namespace rate limit exceeded (namespaceRps 5/s in namespace "default")',
        cause: temporal.api.enums.v1.ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_RPS_LIMIT,
        scope: temporal.api.enums.v1.ResourceExhaustedScope.RESOURCE_EXHAUSTED_SCOPE_NAMESPACE,
      });
      // Recovers once the bucket refills (5/s).
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await describe();
      // Reloaded limits apply to the running server.
      const limits = structuredClone(server.server.config.limits);
      limits.frontend.namespaceRps = 0;
      server.server.reloadLimits(limits);
      await Promise.all(Array.from({ length: 20 }, () => describe()));
    } finally {
      await connection.close();
      await server.close();
    }
  });

  it('refuses store calls over history.persistenceQps with {PERSISTENCE_LIMIT, SYSTEM} and leaves no half-made run', async () => {
    const server: TestServer = await startTestServer({
      configure: (config) => {
        // The 80 starts below share a few group commits (each carrying its history batches): a budget of 2 calls
        // is what that burst exceeds.
        config.limits.persistence.historyQps = 2;
      },
    });
    const connection = await Connection.connect({ address: server.server.address, interceptors: [] });
    try {
      const ids = Array.from({ length: 80 }, () => uniqueName('qps'));
      const start = (workflowId: string) =>
        connection.workflowService.startWorkflowExecution({
          namespace: 'default',
          workflowId,
          workflowType: { name: 'helloWorkflow' },
          taskQueue: { name: uniqueName('nobody') },
          requestId: uniqueName('req'),
        });
      const results = await Promise.all(ids.map((id) => exhausted(start(id))));
      const refused = results.filter((r) => r !== undefined);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused[0]).toEqual({
        code: Code.RESOURCE_EXHAUSTED,
        message: 'System Persistence Max QPS Reached.',
        cause: temporal.api.enums.v1.ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_PERSISTENCE_LIMIT,
        scope: temporal.api.enums.v1.ResourceExhaustedScope.RESOURCE_EXHAUSTED_SCOPE_SYSTEM,
      });
      // Lifted on reload (so the checks below are not refused themselves).
      const limits = structuredClone(server.server.config.limits);
      limits.persistence.historyQps = 0;
      server.server.reloadLimits(limits);
      // A refused start made no run; an accepted one did.
      for (const [i, id] of ids.entries()) {
        const described = connection.workflowService.describeWorkflowExecution({
          namespace: 'default',
          execution: { workflowId: id },
        });
        if (results[i]) expect((await grpcFailure(described)).code).toBe(Code.NOT_FOUND);
        else expect((await described).workflowExecutionInfo?.execution?.workflowId).toBe(id);
      }
      // The same burst goes through now.
      const again = await Promise.all(ids.map(() => exhausted(start(uniqueName('qps-lifted')))));
      expect(again.filter((r) => r !== undefined)).toEqual([]);
    } finally {
      await connection.close();
      await server.close();
    }
  });
});

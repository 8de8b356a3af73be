// Exact durations and hostile input at the gRPC surface (issue 17 items 4 and 6). Requests the SDKs cannot build
// (invalid UTF-8, int64 seconds, failure chains deeper than protobufjs encodes) are encoded with @tempora/proto and
// sent as bytes. Expected answers are the official server's (1.32): durations echoed to the nanosecond and capped
// at 100 years, a present "0s" first workflow task backoff, upstream's query limits.
import { status as Code } from '@grpc/grpc-js';
import { describe, expect, it } from '@jest/globals';
import protos from '@temporalio/proto';
import Long from 'long';
import type { Failure } from '@tempora/proto/failure';
import {
  GetWorkflowExecutionHistoryRequest,
  GetWorkflowExecutionHistoryResponse,
  RespondActivityTaskFailedRequest,
  StartWorkflowExecutionRequest,
} from '@tempora/proto/workflowservice';
import { grpcFailure, rawWorkflowServiceCall, uniqueName, useTestServer, type RawAnswer } from './helpers.js';
import { readHistory, startRawWorkflow, waitForEvent } from './sdk-support.js';

const { CommandType, EventType } = protos.temporal.api.enums.v1;
const HUNDRED_YEARS_SECONDS = 3_153_600_000;

const test = useTestServer();

function startRequest(workflowId: string, fields: Partial<StartWorkflowExecutionRequest> = {}) {
  return StartWorkflowExecutionRequest.encode(
    StartWorkflowExecutionRequest.fromPartial({
      namespace: 'default',
      workflowId,
      workflowType: { name: 'hostile' },
      taskQueue: { name: uniqueName('hostile') },
      requestId: uniqueName('req'),
      ...fields,
    }),
  ).finish();
}

function failed(answer: RawAnswer): { code: number; message: string } {
  if ('response' in answer) throw new Error('expected the call to fail');
  return answer;
}

async function startedAttributes(workflowId: string) {
  const [started] = await readHistory(test.connection, workflowId);
  return started!.workflowExecutionStartedEventAttributes!;
}

const seconds = (d: { seconds?: Long | number | null } | null | undefined) => Number(d?.seconds ?? 0);

describe('durations', () => {
  it('caps 1e15 s and int64-max seconds at 100 years, as upstream, instead of failing', async () => {
    const workflowId = uniqueName('huge');
    // int64 max seconds: 0x7fff_ffff_ffff_ffff does not fit a JS number, so patch the encoded varint.
    const bytes = startRequest(workflowId, {
      workflowExecutionTimeout: { seconds: 1e15, nanos: 0 },
      workflowRunTimeout: { seconds: 2 ** 53 - 1, nanos: 0 },
    });
    const max = Buffer.from(bytes);
    const safeMax = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]); // 2^53 - 1 as a varint
    const int64Max = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    const at = max.indexOf(safeMax);
    expect(at).toBeGreaterThan(0);
    // The run timeout message grows by one byte; its length prefix is the byte before the seconds tag.
    const patched = Buffer.concat([max.subarray(0, at), int64Max, max.subarray(at + safeMax.length)]);
    patched[at - 2] = patched[at - 2]! + 1;
    const answer = await rawWorkflowServiceCall(test.server.address, 'StartWorkflowExecution', patched);
    expect(answer).toHaveProperty('response');
    const started = await startedAttributes(workflowId);
    expect(seconds(started.workflowExecutionTimeout)).toBe(HUNDRED_YEARS_SECONDS);
    expect(seconds(started.workflowRunTimeout)).toBe(HUNDRED_YEARS_SECONDS);
  });

  it('echoes retry intervals of 1 ns / 100 ns, a 10 s + 5 ns task timeout and a "0s" first task backoff', async () => {
    const workflowId = uniqueName('exact');
    await test.connection.workflowService.startWorkflowExecution({
      namespace: 'default',
      workflowId,
      workflowType: { name: 'exact' },
      taskQueue: { name: uniqueName('exact') },
      requestId: uniqueName('req'),
      workflowTaskTimeout: { seconds: Long.fromNumber(10), nanos: 5 },
      retryPolicy: { initialInterval: { nanos: 1 }, maximumInterval: { nanos: 100 } },
    });
    const started = await startedAttributes(workflowId);
    expect(started.workflowTaskTimeout).toMatchObject({ nanos: 5 });
    expect(seconds(started.workflowTaskTimeout)).toBe(10);
    expect(started.retryPolicy).toMatchObject({
      initialInterval: { nanos: 1 },
      maximumInterval: { nanos: 100 },
      backoffCoefficient: 2,
    });
    expect(seconds(started.retryPolicy!.initialInterval)).toBe(0);
    // Present and zero, as the official server writes it (protobufjs leaves an absent message null).
    expect(started.firstWorkflowTaskBackoff).not.toBeNull();
    expect(seconds(started.firstWorkflowTaskBackoff)).toBe(0);
    expect(started.firstWorkflowTaskBackoff!.nanos ?? 0).toBe(0);
  });

  it('accepts a 1 ns timer and a 1 ns activity timeout, echoing them and the activity retry policy exactly', async () => {
    const { workflowId, poll } = await startRawWorkflow(test.connection, 'nanos');
    const task = await poll();
    await test.connection.workflowService.respondWorkflowTaskCompleted({
      namespace: 'default',
      taskToken: task.taskToken,
      commands: [
        {
          commandType: CommandType.COMMAND_TYPE_START_TIMER,
          startTimerCommandAttributes: { timerId: 't1', startToFireTimeout: { nanos: 1 } },
        },
        {
          commandType: CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
          scheduleActivityTaskCommandAttributes: {
            activityId: 'a1',
            activityType: { name: 'nothing' },
            taskQueue: { name: uniqueName('nanos-activity') },
            startToCloseTimeout: { nanos: 1 },
            retryPolicy: { initialInterval: { nanos: 1 }, maximumInterval: { nanos: 100 } },
          },
        },
      ],
    });
    const untilFired = await waitForEvent(
      test.connection,
      workflowId,
      undefined,
      (e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED,
    );
    expect(untilFired.at(-1)!.timerFiredEventAttributes?.timerId).toBe('t1');
    const events = await readHistory(test.connection, workflowId);
    const timer = events.find((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED)!;
    expect(timer.timerStartedEventAttributes!.startToFireTimeout).toMatchObject({ nanos: 1 });
    const scheduled = events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)!;
    const a = scheduled.activityTaskScheduledEventAttributes!;
    expect(a.startToCloseTimeout).toMatchObject({ nanos: 1 });
    expect(seconds(a.startToCloseTimeout)).toBe(0);
    expect(a.retryPolicy).toMatchObject({ initialInterval: { nanos: 1 }, maximumInterval: { nanos: 100 } });
  });
});

describe('hostile requests', () => {
  it('refuses invalid UTF-8 in a workflow id with INVALID_ARGUMENT (upstream: the same message, as INTERNAL)', async () => {
    const bytes = Buffer.from(startRequest('XXXX-utf8'));
    const at = bytes.indexOf('XXXX');
    bytes[at + 1] = 0xff;
    bytes[at + 2] = 0xfe;
    expect(failed(await rawWorkflowServiceCall(test.server.address, 'StartWorkflowExecution', bytes))).toEqual({
      code: Code.INVALID_ARGUMENT,
      message: 'grpc: error unmarshalling request: string field contains invalid UTF-8',
    });
  });

  function failureChain(causes: number): Failure {
    let failure: Failure | undefined;
    for (let i = 0; i <= causes; i++) {
      failure = {
        message: `level ${i}`,
        source: '',
        stackTrace: '',
        cause: failure,
        applicationFailureInfo: {
          type: 'Deep',
          nonRetryable: true,
          details: undefined,
          nextRetryDelay: undefined,
          category: 0,
        },
      } as Failure;
    }
    return failure!;
  }

  it('stores and reads back a failure with 1,000 causes, and refuses a deeper one with INVALID_ARGUMENT', async () => {
    const { workflowId, poll } = await startRawWorkflow(test.connection, 'deep');
    const activityQueue = uniqueName('deep-activity');
    await test.connection.workflowService.respondWorkflowTaskCompleted({
      namespace: 'default',
      taskToken: (await poll()).taskToken,
      commands: [
        {
          commandType: CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
          scheduleActivityTaskCommandAttributes: {
            activityId: 'deep',
            activityType: { name: 'deep' },
            taskQueue: { name: activityQueue },
            startToCloseTimeout: { seconds: Long.fromNumber(30) },
          },
        },
      ],
    });
    const activity = await test.connection.workflowService.pollActivityTaskQueue({
      namespace: 'default',
      taskQueue: { name: activityQueue },
      identity: 'deep',
    });
    const respond = (causes: number) =>
      rawWorkflowServiceCall(
        test.server.address,
        'RespondActivityTaskFailed',
        RespondActivityTaskFailedRequest.encode(
          RespondActivityTaskFailedRequest.fromPartial({
            namespace: 'default',
            taskToken: Buffer.from(activity.taskToken!),
            failure: failureChain(causes),
          }),
        ).finish(),
      );
    expect(failed(await respond(1_100))).toEqual({
      code: Code.INVALID_ARGUMENT,
      message: 'grpc: error unmarshalling request: protobuf decode recursion limit exceeded',
    });
    expect(await respond(1_000)).toHaveProperty('response');

    const history = await rawWorkflowServiceCall(
      test.server.address,
      'GetWorkflowExecutionHistory',
      GetWorkflowExecutionHistoryRequest.encode(
        GetWorkflowExecutionHistoryRequest.fromPartial({ namespace: 'default', execution: { workflowId } }),
      ).finish(),
    );
    if (!('response' in history)) throw new Error(history.message);
    const events = GetWorkflowExecutionHistoryResponse.decode(history.response).history!.events;
    let failure = events.find((e) => e.activityTaskFailedEventAttributes)?.activityTaskFailedEventAttributes?.failure;
    let depth = 0;
    while (failure?.cause) {
      failure = failure.cause;
      depth++;
    }
    expect(depth).toBe(1_000);
    expect(failure?.message).toBe('level 0');
  });

  it('answers hostile List Filter queries with upstream limits and messages, never INTERNAL', async () => {
    const list = (query: string) =>
      test.connection.workflowService.listWorkflowExecutions({ namespace: 'default', query });
    const cases: [string, string][] = [
      [
        `${'('.repeat(100_000)}WorkflowId = 'a'${')'.repeat(100_000)}`,
        'invalid query: malformed SQL query: max nesting level reached at position 200',
      ],
      [
        Array.from({ length: 3_000 }, () => "WorkflowId = 'a'").join(' AND '),
        'invalid query: malformed SQL query: max ast depth reached',
      ],
      [
        'StartTime > 1.5e10',
        'invalid query: invalid expression: invalid value type for search attribute StartTime of type Datetime: 1.5e+10 (type: float64)',
      ],
      ['HistoryLength = 1e400', 'invalid query: invalid expression: unable to parse value "1e400"'],
    ];
    for (const [query, message] of cases) {
      expect(await grpcFailure(list(query))).toMatchObject({ code: Code.INVALID_ARGUMENT, message });
    }
    const values = Array.from({ length: 50_000 }, (_, i) => `'w${i}'`).join(', ');
    expect((await list(`WorkflowId IN (${values})`)).executions).toEqual([]);
    expect((await list('HistoryLength = 1.5e10')).executions).toEqual([]);
  });
});

import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { WorkflowExecutionStatus } from '@tempora/proto/enums';
import {
  ListClosedWorkflowExecutionsRequest,
  ListOpenWorkflowExecutionsRequest,
  ScanWorkflowExecutionsRequest,
} from '@tempora/proto/workflowservice';
import type { VisibilityRecord } from '@tempora/visibility';
import { callContext, invalidArgumentStatus, startTestFrontend, type TestFrontend } from './test-support.js';

const {
  WORKFLOW_EXECUTION_STATUS_RUNNING: RUNNING,
  WORKFLOW_EXECUTION_STATUS_COMPLETED: COMPLETED,
  WORKFLOW_EXECUTION_STATUS_FAILED: FAILED,
} = WorkflowExecutionStatus;
const T0 = Date.parse('2024-05-01T00:00:00Z');
const HOUR = 3_600_000;

let frontend: TestFrontend;
beforeEach(async () => {
  frontend = await startTestFrontend();
  const record = (
    workflowId: string,
    workflowType: string,
    status: WorkflowExecutionStatus,
    hour: number,
  ): VisibilityRecord => {
    const runId = randomUUID();
    const closed = status !== RUNNING;
    return {
      namespaceId: frontend.namespaceIds.default,
      workflowId,
      runId,
      workflowType,
      taskQueue: 'q',
      status,
      startTime: T0 + hour * HOUR,
      executionTime: T0 + hour * HOUR,
      closeTime: closed ? T0 + (hour + 1) * HOUR : undefined,
      executionDuration: closed ? HOUR * 1e6 : undefined,
      historyLength: 3,
      historySizeBytes: 300,
      stateTransitionCount: 2,
      rootWorkflowId: workflowId,
      rootRunId: runId,
      searchAttributes: {},
      version: 1,
    };
  };
  await frontend.visibility.write(
    [
      record("it's-open", 'Order', RUNNING, 1),
      record('open-2', 'Invoice', RUNNING, 5),
      record('done-1', 'Order', COMPLETED, 2),
      record('failed-1', 'Order', FAILED, 3),
    ].map((r) => ({ kind: 'upsert' as const, record: r })),
  );
});
afterEach(() => frontend.close());

const ids = (response: { executions?: { execution?: { workflowId?: string } }[] }) =>
  (response.executions ?? []).map((e) => e.execution?.workflowId).sort();

describe('ListOpen/ListClosedWorkflowExecutions', () => {
  const listOpen = (fields: Partial<ListOpenWorkflowExecutionsRequest>) =>
    frontend.handlers.listOpenWorkflowExecutions(
      ListOpenWorkflowExecutionsRequest.fromPartial({ namespace: 'default', ...fields }),
      callContext('ListOpenWorkflowExecutions'),
    );
  const listClosed = (fields: Partial<ListClosedWorkflowExecutionsRequest>) =>
    frontend.handlers.listClosedWorkflowExecutions(
      ListClosedWorkflowExecutionsRequest.fromPartial({ namespace: 'default', ...fields }),
      callContext('ListClosedWorkflowExecutions'),
    );

  it('lists open runs by start time window, workflow id (quotes escaped) and type', async () => {
    expect(ids(await listOpen({}))).toEqual(["it's-open", 'open-2']);
    expect(
      ids(await listOpen({ startTimeFilter: { earliestTime: new Date(T0 + 4 * HOUR), latestTime: undefined } })),
    ).toEqual(['open-2']);
    expect(ids(await listOpen({ executionFilter: { workflowId: "it's-open", runId: '' } }))).toEqual(["it's-open"]);
    expect(ids(await listOpen({ typeFilter: { name: 'Invoice' } }))).toEqual(['open-2']);
  });

  it('lists closed runs by close time window and status', async () => {
    expect(ids(await listClosed({}))).toEqual(['done-1', 'failed-1']);
    expect(ids(await listClosed({ statusFilter: { status: FAILED } }))).toEqual(['failed-1']);
    expect(
      ids(await listClosed({ startTimeFilter: { earliestTime: undefined, latestTime: new Date(T0 + 3 * HOUR) } })),
    ).toEqual(['done-1']);
  });

  it('rejects more than one filter', async () => {
    await expect(
      listClosed({ typeFilter: { name: 'Order' }, statusFilter: { status: COMPLETED } }),
    ).rejects.toMatchObject(
      invalidArgumentStatus('Only one of ExecutionFilter, TypeFilter or StatusFilter is allowed.'),
    );
  });
});

describe('ScanWorkflowExecutions and GetSearchAttributes', () => {
  it('scans with a query and pages with the page size', async () => {
    const scan = (fields: Partial<ScanWorkflowExecutionsRequest>) =>
      frontend.handlers.scanWorkflowExecutions(
        ScanWorkflowExecutionsRequest.fromPartial({ namespace: 'default', ...fields }),
        callContext('ScanWorkflowExecutions'),
      );
    expect(ids(await scan({ query: "WorkflowType = 'Order'" }))).toEqual(['done-1', 'failed-1', "it's-open"]);
    const first = await scan({ pageSize: 3 });
    expect(first.executions).toHaveLength(3);
    const second = await scan({ pageSize: 3, nextPageToken: first.nextPageToken as Buffer });
    expect(second.executions).toHaveLength(1);
    expect(second.nextPageToken?.length ?? 0).toBe(0);
  });

  it('reports the system and predefined attributes', async () => {
    const response = await frontend.handlers.getSearchAttributes({}, callContext('GetSearchAttributes'));
    expect(response.keys?.ExecutionStatus).toBe(2);
    expect(response.keys?.TemporalChangeVersion).toBe(7);
  });
});

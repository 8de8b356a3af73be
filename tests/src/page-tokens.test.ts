// Page tokens are tamper-evident and bound to what they page (issue 17 item 7), for every paged RPC: a real token
// with one byte changed, or replayed for another namespace, query, workflow or RPC, is INVALID_ARGUMENT with
// upstream's history message "Invalid NextPageToken."; the cluster secret lives in cluster metadata, so a token
// outlives the process that issued it.
import { status as Code } from '@grpc/grpc-js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { Connection } from '@temporalio/client';
import Long from 'long';
import { eventually, grpcFailure, startTestServer, uniqueName, useTestServer } from './helpers.js';

const INVALID = { code: Code.INVALID_ARGUMENT, message: 'Invalid NextPageToken.' };

function tamper(token: Uint8Array, at: number): Buffer {
  const bytes = Buffer.from(token);
  bytes[at] = bytes[at]! ^ 0x01;
  return bytes;
}

async function startWorkflows(connection: Connection, namespace: string, type: string, count: number) {
  for (let i = 0; i < count; i++) {
    await connection.workflowService.startWorkflowExecution({
      namespace,
      workflowId: uniqueName(type),
      workflowType: { name: type },
      taskQueue: { name: uniqueName('tokens') },
      requestId: uniqueName('req'),
    });
  }
}

describe('page tokens', () => {
  const test = useTestServer();
  const type = uniqueName('TokenWorkflow');
  const query = `WorkflowType = '${type}'`;
  const other = uniqueName('tokens-ns');

  const firstListPage = async () => {
    const page = await eventually(async () => {
      const p = await test.connection.workflowService.listWorkflowExecutions({
        namespace: 'default',
        query,
        pageSize: 1,
      });
      expect(p.nextPageToken?.length).toBeGreaterThan(0);
      return p;
    });
    return page.nextPageToken!;
  };

  it('pages the visibility RPCs with sealed tokens and refuses changed or replayed ones', async () => {
    await test.connection.workflowService.registerNamespace({
      namespace: other,
      workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(86_400) },
    });
    await startWorkflows(test.connection, 'default', type, 3);
    const svc = test.connection.workflowService;
    const token = await firstListPage();
    const second = await svc.listWorkflowExecutions({ namespace: 'default', query, pageSize: 1, nextPageToken: token });
    expect(second.executions).toHaveLength(1);

    for (const at of [0, Math.floor(token.length / 2), token.length - 1]) {
      const tampered = tamper(token, at);
      expect(
        await grpcFailure(svc.listWorkflowExecutions({ namespace: 'default', query, nextPageToken: tampered })),
      ).toMatchObject(INVALID);
    }
    const replays = [
      svc.listWorkflowExecutions({ namespace: other, query, nextPageToken: token }),
      svc.listWorkflowExecutions({
        namespace: 'default',
        query: `${query} AND HistoryLength > 0`,
        nextPageToken: token,
      }),
      svc.scanWorkflowExecutions({ namespace: 'default', query, nextPageToken: token }),
      svc.listOpenWorkflowExecutions({ namespace: 'default', maximumPageSize: 1, nextPageToken: token }),
      svc.listClosedWorkflowExecutions({ namespace: 'default', maximumPageSize: 1, nextPageToken: token }),
      svc.listSchedules({ namespace: 'default', nextPageToken: token }),
      svc.listNamespaces({ nextPageToken: token }),
    ];
    for (const replay of replays) expect(await grpcFailure(replay)).toMatchObject(INVALID);
  });

  it('pages ListNamespaces and the legacy list RPCs with their own tokens', async () => {
    const svc = test.connection.workflowService;
    const namespaces = await svc.listNamespaces({ pageSize: 1 });
    expect(namespaces.nextPageToken?.length).toBeGreaterThan(0);
    expect(
      (await svc.listNamespaces({ pageSize: 1, nextPageToken: namespaces.nextPageToken })).namespaces,
    ).toHaveLength(1);
    expect(
      await grpcFailure(svc.listNamespaces({ nextPageToken: tamper(namespaces.nextPageToken!, 3) })),
    ).toMatchObject(INVALID);

    const open = await svc.listOpenWorkflowExecutions({ namespace: 'default', maximumPageSize: 1 });
    expect(open.nextPageToken?.length).toBeGreaterThan(0);
    const next = await svc.listOpenWorkflowExecutions({
      namespace: 'default',
      maximumPageSize: 1,
      nextPageToken: open.nextPageToken,
    });
    expect(next.executions).toHaveLength(1);
    expect(
      await grpcFailure(
        svc.listOpenWorkflowExecutions({ namespace: other, maximumPageSize: 1, nextPageToken: open.nextPageToken }),
      ),
    ).toMatchObject(INVALID);
    expect(
      await grpcFailure(svc.listWorkflowExecutions({ namespace: 'default', nextPageToken: open.nextPageToken })),
    ).toMatchObject(INVALID);
  });

  it('binds history tokens to their workflow and direction', async () => {
    const svc = test.connection.workflowService;
    const ids = [uniqueName('history'), uniqueName('history')];
    for (const workflowId of ids) {
      await svc.startWorkflowExecution({
        namespace: 'default',
        workflowId,
        workflowType: { name: type },
        taskQueue: { name: uniqueName('tokens') },
        requestId: uniqueName('req'),
      });
      await svc.signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, signalName: 's' });
    }
    const page = await svc.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId: ids[0] },
      maximumPageSize: 1,
    });
    const token = page.nextPageToken!;
    expect(token.length).toBeGreaterThan(0);
    const rest = await svc.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId: ids[0] },
      nextPageToken: token,
    });
    expect(rest.history?.events?.length).toBeGreaterThan(0);

    expect(
      await grpcFailure(
        svc.getWorkflowExecutionHistory({
          namespace: 'default',
          execution: { workflowId: ids[0] },
          nextPageToken: tamper(token, 5),
        }),
      ),
    ).toMatchObject(INVALID);
    expect(
      await grpcFailure(
        svc.getWorkflowExecutionHistory({
          namespace: 'default',
          execution: { workflowId: ids[1] },
          nextPageToken: token,
        }),
      ),
    ).toMatchObject(INVALID);
    expect(
      await grpcFailure(
        svc.getWorkflowExecutionHistoryReverse({
          namespace: 'default',
          execution: { workflowId: ids[0] },
          nextPageToken: token,
        }),
      ),
    ).toMatchObject(INVALID);
  });
});

describe('the page token secret', () => {
  it('is cluster metadata: a token issued before a restart is accepted after it', async () => {
    const dbFile = join(mkdtempSync(join(tmpdir(), 'tempora-tokens-')), 'tokens.db');
    const first = await startTestServer({ dbFile });
    let token: Uint8Array;
    try {
      await startWorkflows(first.connection, 'default', 'RestartTokenWorkflow', 2);
      token = await eventually(async () => {
        const page = await first.connection.workflowService.listWorkflowExecutions({
          namespace: 'default',
          pageSize: 1,
        });
        expect(page.nextPageToken?.length).toBeGreaterThan(0);
        return page.nextPageToken!;
      });
    } finally {
      await first.close();
    }
    const second = await startTestServer({ dbFile });
    try {
      const page = await second.connection.workflowService.listWorkflowExecutions({
        namespace: 'default',
        pageSize: 1,
        nextPageToken: token,
      });
      expect(page.executions).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});

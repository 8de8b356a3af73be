// The interceptor pipeline on every path a call takes: served over gRPC, sent by the gRPC clients, and in process
// (both the calling and the served pipeline). Interceptors see the method, namespace, workflow/run ids, deadline,
// metadata, and the status a failing call ends with.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Server } from '@grpc/grpc-js';
import { createLogger } from '@tempora/common';
import * as historyMessages from '@tempora/proto/internal';
import { HistoryServiceService, type HistoryServiceServer } from '@tempora/proto/internal';
import { Code, RpcError, notFound } from './errors.js';
import { inProcessClient } from './client.js';
import { grpcClient } from './grpc-client.js';
import type { Interceptor, RpcCall } from './interceptor.js';
import { createServer, listen, serveService, shutdown, type AsyncHandlers } from './server.js';

const logger = createLogger('silent');

interface Seen {
  tag: string;
  side: string;
  transport: string;
  service: string;
  method: string;
  namespaceId: string;
  workflowId: string;
  runId: string;
  finiteDeadline: boolean;
  header: string;
  status: number | 'OK';
}

function recorder(tag: string, seen: Seen[], setHeader?: string): Interceptor {
  return (next) => async (call: RpcCall) => {
    if (setHeader) call.metadata.set('x-test', setHeader);
    const entry: Seen = {
      tag,
      side: call.side,
      transport: call.transport,
      service: call.service,
      method: call.method,
      namespaceId: call.namespaceId,
      workflowId: call.workflowId,
      runId: call.runId,
      finiteDeadline: Number.isFinite(call.deadline),
      header: call.hasMetadata ? String(call.metadata.get('x-test')[0] ?? '') : '',
      status: 'OK',
    };
    seen.push(entry);
    try {
      return await next(call);
    } catch (err) {
      entry.status = err instanceof RpcError ? err.code : -1;
      throw err;
    }
  };
}

const handlers: AsyncHandlers<HistoryServiceServer> = {
  describeWorkflowExecution: async (req) => {
    if (req.request?.execution?.workflowId === 'missing') throw notFound('workflow not found');
    if (req.request?.execution?.workflowId === 'boom') throw new Error('kaboom');
    return {};
  },
};
const describe_ = (workflowId: string) => ({
  namespaceId: 'ns-id',
  request: { namespace: 'default', execution: { workflowId, runId: 'run-1' } },
});

describe('interceptor pipeline', () => {
  let server: Server;
  let address: string;
  const served: Seen[] = [];

  beforeAll(async () => {
    server = createServer();
    serveService(server, HistoryServiceService, handlers, {
      logger,
      messages: historyMessages,
      service: 'history',
      interceptors: [recorder('outer', served), recorder('inner', served)],
    });
    address = `127.0.0.1:${await listen(server, '127.0.0.1', 0)}`;
  });
  afterAll(() => shutdown(server, 0));

  it('runs the client and the served pipelines over gRPC, in order, with the call and its status', async () => {
    const sent: Seen[] = [];
    const client = grpcClient<HistoryServiceServer>(HistoryServiceService, historyMessages, address, {
      serviceName: 'history',
      interceptors: [recorder('client', sent, 'from-client')],
    });
    served.length = 0;
    try {
      await client.describeWorkflowExecution(describe_('wf-1'), { deadline: Date.now() + 5_000 });
      await expect(client.describeWorkflowExecution(describe_('missing'))).rejects.toMatchObject({
        code: Code.NOT_FOUND,
      });
      await expect(client.describeWorkflowExecution(describe_('boom'))).rejects.toMatchObject({
        code: Code.INTERNAL,
      });
      await expect(client.resetStickyTaskQueue({ namespaceId: 'ns-id' })).rejects.toMatchObject({
        code: Code.UNIMPLEMENTED,
      });
    } finally {
      client.close();
    }
    expect(sent.map((s) => [s.side, s.transport, s.method, s.status])).toEqual([
      ['client', 'grpc', 'DescribeWorkflowExecution', 'OK'],
      ['client', 'grpc', 'DescribeWorkflowExecution', Code.NOT_FOUND],
      ['client', 'grpc', 'DescribeWorkflowExecution', Code.INTERNAL],
      ['client', 'grpc', 'ResetStickyTaskQueue', Code.UNIMPLEMENTED],
    ]);
    expect(served.map((s) => [s.tag, s.method, s.status])).toEqual([
      ['outer', 'DescribeWorkflowExecution', 'OK'],
      ['inner', 'DescribeWorkflowExecution', 'OK'],
      ['outer', 'DescribeWorkflowExecution', Code.NOT_FOUND],
      ['inner', 'DescribeWorkflowExecution', Code.NOT_FOUND],
      ['outer', 'DescribeWorkflowExecution', Code.INTERNAL],
      ['inner', 'DescribeWorkflowExecution', Code.INTERNAL],
      ['outer', 'ResetStickyTaskQueue', Code.UNIMPLEMENTED],
      ['inner', 'ResetStickyTaskQueue', Code.UNIMPLEMENTED],
    ]);
    expect(served[0]).toMatchObject({
      side: 'server',
      transport: 'grpc',
      service: 'history',
      namespaceId: 'ns-id',
      workflowId: 'wf-1',
      runId: 'run-1',
      finiteDeadline: true,
      header: 'from-client',
    });
  });

  it('runs both pipelines in process, unexpected errors reaching both as INTERNAL', async () => {
    const seen: Seen[] = [];
    const client = inProcessClient<HistoryServiceServer>(HistoryServiceService, historyMessages, handlers, {
      service: 'history',
      interceptors: [recorder('client', seen, 'in-process')],
      serverInterceptors: [recorder('server', seen)],
    });
    await client.describeWorkflowExecution(describe_('wf-2'));
    await expect(client.describeWorkflowExecution(describe_('boom'))).rejects.toMatchObject({ code: Code.INTERNAL });
    await expect(client.resetStickyTaskQueue({})).rejects.toMatchObject({ code: Code.UNIMPLEMENTED });
    expect(seen.map((s) => [s.tag, s.side, s.transport, s.method, s.status])).toEqual([
      ['client', 'client', 'in-process', 'DescribeWorkflowExecution', 'OK'],
      ['server', 'server', 'in-process', 'DescribeWorkflowExecution', 'OK'],
      ['client', 'client', 'in-process', 'DescribeWorkflowExecution', Code.INTERNAL],
      ['server', 'server', 'in-process', 'DescribeWorkflowExecution', Code.INTERNAL],
      ['client', 'client', 'in-process', 'ResetStickyTaskQueue', Code.UNIMPLEMENTED],
      ['server', 'server', 'in-process', 'ResetStickyTaskQueue', Code.UNIMPLEMENTED],
    ]);
    expect(seen[1]).toMatchObject({ workflowId: 'wf-2', runId: 'run-1', header: 'in-process', service: 'history' });
  });

  it('leaves the in-process path as it was with no interceptors (errors pass through unchanged)', async () => {
    const client = inProcessClient<HistoryServiceServer>(HistoryServiceService, historyMessages, handlers);
    await expect(client.describeWorkflowExecution(describe_('boom'))).rejects.toThrow('kaboom');
  });
});

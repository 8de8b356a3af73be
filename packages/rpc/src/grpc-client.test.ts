// The routed client against real gRPC servers: retries while ownership moves, within the caller's deadline, and
// passes every other failure through with its status detail.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Server } from '@grpc/grpc-js';
import { createLogger } from '@tempora/common';
import * as messages from '@tempora/proto/internal';
import { MatchingServiceService, type MatchingServiceServer } from '@tempora/proto/internal';
import { Code, RpcError, isOwnershipLost, notFound, ownershipLost } from './errors.js';
import { grpcClient, routedClient, type Router } from './grpc-client.js';
import { createServer, listen, serveService, shutdown, type AsyncHandlers } from './server.js';

const logger = createLogger('silent');

async function serve(handlers: AsyncHandlers<MatchingServiceServer>): Promise<{ server: Server; address: string }> {
  const server = createServer();
  serveService(server, MatchingServiceService, handlers, { logger, messages });
  const port = await listen(server, '127.0.0.1', 0);
  return { server, address: `127.0.0.1:${port}` };
}

/** A router that answers each call with the next address of `addresses` (the last one repeats). */
function sequence(addresses: (string | undefined)[]): Router & { calls: number } {
  const router = {
    calls: 0,
    route: () => addresses[Math.min(router.calls++, addresses.length - 1)],
  };
  return router;
}

describe('routedClient', () => {
  let owner: { server: Server; address: string };
  let formerOwner: { server: Server; address: string };
  let refused: string;
  let formerOwnerCalls = 0;

  beforeAll(async () => {
    owner = await serve({
      describeTaskQueue: async (req) => {
        if (req.request?.taskQueue?.name === 'missing') throw notFound('task queue missing not found');
        return { response: { pollers: [{ identity: 'the-owner' }] } };
      },
    });
    formerOwner = await serve({
      describeTaskQueue: async () => {
        formerOwnerCalls++;
        throw ownershipLost('task queue orders is not owned by this host', owner.address, 'former');
      },
    });
    const closed = await serve({});
    refused = closed.address;
    await shutdown(closed.server, 0);
  });

  afterAll(async () => {
    await shutdown(owner.server, 0);
    await shutdown(formerOwner.server, 0);
  });

  const request = (name = 'orders') => ({ namespaceId: 'ns', request: { taskQueue: { name } } });
  const client = (router: Router) =>
    routedClient<MatchingServiceServer>(MatchingServiceService, messages, { router, serviceName: 'matching' });

  it('retries a call the former owner rejects as not owned, at the new owner', async () => {
    const c = client(sequence([formerOwner.address, owner.address]));
    const calls = formerOwnerCalls;
    const response = await c.describeTaskQueue(request(), { deadline: Date.now() + 5_000 });
    expect(response.response?.pollers[0]?.identity).toBe('the-owner');
    expect(formerOwnerCalls).toBe(calls + 1);
    c.close();
  });

  it('retries when the owner is unreachable or there is no owner yet', async () => {
    const c = client(sequence([refused, undefined, owner.address]));
    const response = await c.describeTaskQueue(request(), { deadline: Date.now() + 5_000 });
    expect(response.response?.pollers[0]?.identity).toBe('the-owner');
    c.close();
  });

  it("gives up at the caller's deadline with the last ownership error", async () => {
    const c = client(sequence([formerOwner.address]));
    const started = Date.now();
    const err = await c.describeTaskQueue(request(), { deadline: Date.now() + 400 }).catch((e: unknown) => e);
    expect(isOwnershipLost(err)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
    c.close();
  });

  it('names the service when no host owns the call until the deadline', async () => {
    const c = client(sequence([undefined]));
    const err = (await c
      .describeTaskQueue(request(), { deadline: Date.now() + 200 })
      .catch((e: unknown) => e)) as RpcError;
    expect(err.code).toBe(Code.UNAVAILABLE);
    expect(err.message).toBe('No matching host owns this describeTaskQueue call right now.');
    c.close();
  });

  it('passes other failures through at once, with their status detail', async () => {
    const router = sequence([owner.address]);
    const c = client(router);
    const err = (await c
      .describeTaskQueue(request('missing'), { deadline: Date.now() + 5_000 })
      .catch((e: unknown) => e)) as RpcError;
    expect(err).toBeInstanceOf(RpcError);
    expect(err.code).toBe(Code.NOT_FOUND);
    expect(err.message).toBe('task queue missing not found');
    expect(err.detail?.typeName).toBe('temporal.api.errordetails.v1.NotFoundFailure');
    expect(router.calls).toBe(1);
    c.close();
  });

  it('answers UNIMPLEMENTED for a method the server has no handler for (fixed-address client)', async () => {
    const c = grpcClient<MatchingServiceServer>(MatchingServiceService, messages, owner.address);
    const err = (await c.shutdownWorker({ namespaceId: 'ns' }).catch((e: unknown) => e)) as RpcError;
    expect(err.code).toBe(Code.UNIMPLEMENTED);
    c.close();
  });
});

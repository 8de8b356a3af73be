// Compressed requests, as the SDK's core sends them (gzip on every call). grpc-js is patched (docs/dependencies.md)
// to inflate small messages synchronously; larger ones, and ones inflating past a bound, take its zlib stream.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, credentials, type Server, type ServiceError } from '@grpc/grpc-js';
import type { Logger } from '@tempora/common';
import * as messages from '@tempora/proto/internal';
import { MatchingServiceService, type MatchingServiceServer } from '@tempora/proto/internal';
import { Code } from './errors.js';
import { createServer, listen, serveService, shutdown } from './server.js';

const logger = { error: () => undefined } as unknown as Logger;
const GZIP = 2;

describe('gzip-compressed requests', () => {
  const servers: Server[] = [];
  let address: string;
  let smallLimitAddress: string;

  const start = async (maxReceiveMessageSize?: number) => {
    const server = createServer(maxReceiveMessageSize ? { maxReceiveMessageSize, maxSendMessageSize: 0 } : undefined);
    serveService<MatchingServiceServer>(
      server,
      MatchingServiceService,
      // The answer carries what arrived: the name's length, as a poller's identity.
      {
        describeTaskQueue: async (req) => ({
          response: { pollers: [{ identity: String(req.request?.taskQueue?.name.length) }] },
        }),
      },
      { logger, messages },
    );
    servers.push(server);
    return `127.0.0.1:${await listen(server, '127.0.0.1', 0)}`;
  };

  beforeAll(async () => {
    address = await start();
    smallLimitAddress = await start(1_000);
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => shutdown(s, 0)));
  });

  /** Sends a DescribeTaskQueue with the given queue name, gzip-compressed; resolves with the length the server saw. */
  const send = (target: string, name: string) => {
    const client = new Client(target, credentials.createInsecure(), { 'grpc.default_compression_algorithm': GZIP });
    const method = MatchingServiceService.describeTaskQueue;
    return new Promise<string | undefined>((resolve, reject) => {
      client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        messages.DescribeTaskQueueRequest.fromPartial({ namespaceId: 'ns', request: { taskQueue: { name } } }),
        (err: ServiceError | null, response?: messages.DescribeTaskQueueResponse) =>
          err ? reject(err) : resolve(response?.response?.pollers[0]?.identity),
      );
    }).finally(() => client.close());
  };

  it('inflates a small message', async () => {
    expect(await send(address, 'hello-queue')).toBe('11');
  });

  it('inflates a message whose compressed body is past the synchronous bound', async () => {
    // Random base64 barely compresses: about 200 KiB on the wire.
    const name = Buffer.from(Array.from({ length: 200_000 }, () => Math.floor(Math.random() * 256))).toString('base64');
    expect(await send(address, name)).toBe(String(name.length));
  });

  it('inflates a small body that expands past the synchronous bound', async () => {
    expect(await send(address, 'a'.repeat(3 * 1024 * 1024))).toBe(String(3 * 1024 * 1024));
  });

  it('refuses a message that inflates past the receive limit', async () => {
    await expect(send(smallLimitAddress, 'a'.repeat(5_000))).rejects.toMatchObject({
      code: Code.RESOURCE_EXHAUSTED,
    });
  });
});

// How handler failures reach callers over a real gRPC server: typed RpcErrors keep their code and message;
// anything else is logged with its detail and answered INTERNAL with a generic message.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import type { Server } from '@grpc/grpc-js';
import type { Logger } from '@tempora/common';
import * as messages from '@tempora/proto/internal';
import { MatchingServiceService, type MatchingServiceServer } from '@tempora/proto/internal';
import { Code, notFound } from './errors.js';
import { grpcClient } from './grpc-client.js';
import { INTERNAL_ERROR_MESSAGE, createServer, listen, serveService, shutdown } from './server.js';

const logged: { fields: Record<string, unknown>; message: string }[] = [];
const logger = {
  error: (fields: Record<string, unknown>, message: string) => logged.push({ fields, message }),
} as unknown as Logger;

describe('handler errors', () => {
  let server: Server;
  let address: string;

  beforeAll(async () => {
    server = createServer();
    serveService<MatchingServiceServer>(
      server,
      MatchingServiceService,
      {
        describeTaskQueue: async (req) => {
          if (req.request?.taskQueue?.name === 'typed') throw notFound('task queue typed not found');
          throw new Error('SQLITE_CORRUPT: /var/lib/tempora/secret.db page 7');
        },
      },
      { logger, messages },
    );
    address = `127.0.0.1:${await listen(server, '127.0.0.1', 0)}`;
  });

  afterAll(async () => {
    await shutdown(server, 0);
  });

  const call = (name: string) => {
    const client = grpcClient<MatchingServiceServer>(MatchingServiceService, messages, address);
    return client
      .describeTaskQueue({ namespaceId: 'ns', request: { taskQueue: { name } } }, { deadline: Date.now() + 5_000 })
      .finally(() => client.close());
  };

  it('answers an unexpected error INTERNAL with a generic message and logs the detail with the method', async () => {
    const failure = await call('boom').then(
      () => undefined,
      (err: unknown) => err as { code: number; message: string },
    );
    expect(failure?.code).toBe(Code.INTERNAL);
    expect(failure?.message).toContain(INTERNAL_ERROR_MESSAGE);
    expect(failure?.message).not.toContain('SQLITE_CORRUPT');
    expect(failure?.message).not.toContain('secret.db');
    const entry = logged.at(-1)!;
    expect(entry.fields.method).toBe('MatchingService/DescribeTaskQueue');
    expect((entry.fields.err as Error).message).toContain('SQLITE_CORRUPT');
    // The id in the answer finds the log line.
    expect(failure?.message).toContain(`error id ${String(entry.fields.errorId)}`);
  });

  it('keeps typed RpcErrors as they are', async () => {
    await expect(call('typed')).rejects.toMatchObject({ code: Code.NOT_FOUND, message: 'task queue typed not found' });
  });
});

// grpc-js is patched (patches/@grpc__grpc-js*.patch) to inflate a compressed request in one synchronous call; the
// SDKs' core sends gzip-compressed requests.
describe('compressed requests', () => {
  const MAX_RECEIVE = 64 * 1024;
  let server: Server;
  let address: string;

  beforeAll(async () => {
    server = createServer({ maxReceiveMessageSize: MAX_RECEIVE, maxSendMessageSize: MAX_RECEIVE });
    serveService<MatchingServiceServer>(
      server,
      MatchingServiceService,
      {
        describeTaskQueue: async (req) => {
          throw notFound(`task queue of ${req.request?.taskQueue?.name?.length ?? 0} characters not found`);
        },
      },
      { logger, messages },
    );
    address = `127.0.0.1:${await listen(server, '127.0.0.1', 0)}`;
  });

  afterAll(async () => {
    await shutdown(server, 0);
  });

  /** DescribeTaskQueue with a task queue name of `length` characters, gzip-compressed by the client. */
  const callCompressed = (length: number) => {
    const client = new grpc.Client(address, grpc.credentials.createInsecure(), {
      'grpc.default_compression_algorithm': grpc.compressionAlgorithms.gzip,
    });
    const request = messages.DescribeTaskQueueRequest.encode(
      messages.DescribeTaskQueueRequest.fromPartial({
        namespaceId: 'ns',
        request: { taskQueue: { name: 'q'.repeat(length) } },
      }),
    ).finish();
    return new Promise<{ code: number; details: string }>((resolve) => {
      client.makeUnaryRequest(
        '/tempora.internal.v1.MatchingService/DescribeTaskQueue',
        (bytes: Uint8Array) => Buffer.from(bytes),
        (bytes: Buffer) => bytes,
        request,
        (err) => resolve({ code: err?.code ?? 0, details: err?.details ?? '' }),
      );
    }).finally(() => client.close());
  };

  it('reads a gzip-compressed request whole', async () => {
    expect(await callCompressed(20_000)).toEqual({
      code: Code.NOT_FOUND,
      details: 'task queue of 20000 characters not found',
    });
  });

  it('answers RESOURCE_EXHAUSTED for a request that inflates past the receive limit', async () => {
    expect(await callCompressed(MAX_RECEIVE + 1)).toEqual({
      code: Code.RESOURCE_EXHAUSTED,
      details: `Received message that decompresses to a size larger than ${MAX_RECEIVE}`,
    });
  });
});

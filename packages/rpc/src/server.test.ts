// How handler failures reach callers over a real gRPC server: typed RpcErrors keep their code and message;
// anything else is logged with its detail and answered INTERNAL with a generic message. And when a handler's
// signal aborts: on the caller's cancel, not after the answer.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Server } from '@grpc/grpc-js';
import type { Logger } from '@tempora/common';
import * as messages from '@tempora/proto/internal';
import { MatchingServiceService, type MatchingServiceServer } from '@tempora/proto/internal';
import { Code, notFound } from './errors.js';
import { grpcClient } from './grpc-client.js';
import { INTERNAL_ERROR_MESSAGE, createServer, listen, serveService, shutdown } from './server.js';

const logged: { fields: Record<string, unknown>; message: string }[] = [];
/** The signals of the calls named 'answer' and 'wait', and the start of each 'wait' call. */
const signals: AbortSignal[] = [];
const waitStarted: (() => void)[] = [];
/** A 'late' call reads its signal only once the test resolves this, after the caller cancelled. */
let lateRead: Promise<void> = Promise.resolve();
const lateAborted: boolean[] = [];
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
        describeTaskQueue: async (req, ctx) => {
          const name = req.request?.taskQueue?.name;
          if (name === 'answer' || name === 'wait') signals.push(ctx.signal);
          if (name === 'answer') return {};
          if (name === 'wait') {
            waitStarted.shift()?.();
            await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
            return {};
          }
          if (name === 'late') {
            waitStarted.shift()?.();
            await lateRead;
            lateAborted.push(ctx.signal.aborted);
            return {};
          }
          if (name === 'typed') throw notFound('task queue typed not found');
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

  const call = (name: string, signal?: AbortSignal) => {
    const client = grpcClient<MatchingServiceServer>(MatchingServiceService, messages, address);
    return client
      .describeTaskQueue(
        { namespaceId: 'ns', request: { taskQueue: { name } } },
        { deadline: Date.now() + 5_000, signal },
      )
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

  it("leaves an answered call's signal alone (grpc-js reports every finished call as cancelled)", async () => {
    signals.length = 0;
    await call('answer');
    // grpc-js emits its 'cancelled' in the same tick it sends the trailers, before this side can read them.
    await new Promise((resolve) => setImmediate(resolve));
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(false);
  });

  it("aborts the handler's signal when the caller cancels", async () => {
    signals.length = 0;
    const started = new Promise<void>((resolve) => waitStarted.push(resolve));
    const controller = new AbortController();
    const answer = call('wait', controller.signal);
    await started;
    controller.abort();
    await expect(answer).rejects.toMatchObject({ code: Code.CANCELLED });
    const signal = signals[0]!;
    if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    expect(signal.aborted).toBe(true);
  });

  it('gives a handler that first asks for its signal after the caller cancelled an aborted one', async () => {
    let read!: () => void;
    lateRead = new Promise<void>((resolve) => (read = resolve));
    const started = new Promise<void>((resolve) => waitStarted.push(resolve));
    const controller = new AbortController();
    const answer = call('late', controller.signal);
    await started;
    controller.abort();
    await expect(answer).rejects.toMatchObject({ code: Code.CANCELLED });
    // The server side sees the RST_STREAM a moment after the client gave up.
    await new Promise((resolve) => setTimeout(resolve, 50));
    read();
    await new Promise((resolve) => setImmediate(resolve));
    expect(lateAborted).toEqual([true]);
  });
});

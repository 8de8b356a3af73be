import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createLogger, defaultConfig } from '@tempora/common';
import { startProcess } from './process.js';

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

async function freePort(): Promise<number> {
  const server = await listenOn(0);
  const { port } = server.address() as { port: number };
  await close(server);
  return port;
}

describe('startProcess', () => {
  const held: Server[] = [];
  afterEach(async () => {
    await Promise.all(held.splice(0).map(close));
  });

  it('stops what it started when a later step fails: the services, and the ports already bound', async () => {
    const config = defaultConfig();
    config.log.level = 'silent';
    config.services.history.grpcPort = await freePort();
    config.services.frontend.grpcPort = await freePort();
    held.push(await listenOn(config.services.frontend.grpcPort));

    // history listens first, then the frontend's port is taken.
    await expect(
      startProcess({ config, services: ['history', 'matching', 'frontend'], logger: createLogger('silent') }),
    ).rejects.toThrow(/EADDRINUSE|address already in use|No address added/i);

    // The history server that did listen was shut down: its port is free again.
    held.push(await listenOn(config.services.history.grpcPort));
  });
});

describe('the frontend HTTP API', () => {
  it('a taken HTTP port fails the start and releases the gRPC port already bound', async () => {
    const config = defaultConfig();
    config.log.level = 'silent';
    config.services.frontend.grpcPort = await freePort();
    config.services.frontend.httpPort = await freePort();
    const taken = await listenOn(config.services.frontend.httpPort);
    try {
      await expect(
        startProcess({ config, services: ['frontend', 'history', 'matching'], logger: createLogger('silent') }),
      ).rejects.toThrow(/EADDRINUSE/);
      await close(await listenOn(config.services.frontend.grpcPort));
    } finally {
      await close(taken);
    }
  });
});

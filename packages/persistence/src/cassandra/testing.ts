// How tests find the Cassandra they run against: TEMPORA_TEST_CASSANDRA (host:port, default 127.0.0.1:9042).
// When it does not answer, CI fails the suite with a clear message and a developer's run skips it with a note.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { describe, it } from '@jest/globals';
import type { CassandraOptions } from './session.js';

export const TEST_CASSANDRA_ADDRESS = process.env['TEMPORA_TEST_CASSANDRA'] || '127.0.0.1:9042';

function reachable(address: string, timeoutMs = 2_000): Promise<boolean> {
  const separator = address.lastIndexOf(':');
  const host = separator < 0 ? address : address.slice(0, separator);
  const port = separator < 0 ? 9042 : Number(address.slice(separator + 1));
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A keyspace name no other test file uses. */
export function uniqueTestKeyspace(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/**
 * Probes the test Cassandra once per test file and returns how to connect to a keyspace on it. When it does not
 * answer: in CI (CI=true) registers a failing test carrying the reason; elsewhere prints a one-line note. Either
 * way it returns undefined and the caller defines no Cassandra tests.
 */
export async function cassandraForTests(suite: string): Promise<((keyspace: string) => CassandraOptions) | undefined> {
  if (await reachable(TEST_CASSANDRA_ADDRESS)) {
    return (keyspace) => ({ contactPoints: [TEST_CASSANDRA_ADDRESS], localDataCenter: 'datacenter1', keyspace });
  }
  const reason =
    `Cassandra is not reachable at ${TEST_CASSANDRA_ADDRESS} (TEMPORA_TEST_CASSANDRA); ` +
    'start one with `deploy/local/cassandra.sh start`';
  if (process.env['CI'] === 'true') {
    describe(suite, () => {
      it('needs a reachable Cassandra in CI', () => {
        throw new Error(reason);
      });
    });
  } else {
    console.log(`skipping ${suite}: ${reason}`);
  }
  return undefined;
}

// How tests find the Cassandra they run against: TEMPORA_TEST_CASSANDRA (host:port, default 127.0.0.1:9042).
// When it does not answer, CI fails the suite with a clear message and a developer's run skips it with a note.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
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

export type TestCassandra =
  | { available: true; options: (keyspace: string) => CassandraOptions }
  | { available: false; reason: string };

/**
 * Probes the test Cassandra once per test file. Unavailable outside CI: prints a one-line note (the caller skips).
 * Unavailable in CI (CI=true): the caller must fail, with `reason` as the message.
 */
export async function probeTestCassandra(suite: string): Promise<TestCassandra> {
  if (await reachable(TEST_CASSANDRA_ADDRESS)) {
    return {
      available: true,
      options: (keyspace) => ({
        contactPoints: [TEST_CASSANDRA_ADDRESS],
        localDataCenter: 'datacenter1',
        keyspace,
      }),
    };
  }
  const reason =
    `Cassandra is not reachable at ${TEST_CASSANDRA_ADDRESS} (TEMPORA_TEST_CASSANDRA); ` +
    'start one with `deploy/local/cassandra.sh start`';
  if (process.env['CI'] !== 'true') console.log(`skipping ${suite}: ${reason}`);
  return { available: false, reason };
}

import type { ClientOptions } from 'cassandra-driver';
import { validateKeyspaceName } from './schema.js';
import type { CassandraOptions } from './session.js';

/** The driver's client options, bound to the keyspace unless `withKeyspace` is false. */
export function cassandraClientOptions(options: CassandraOptions, withKeyspace: boolean): ClientOptions {
  return {
    contactPoints: options.contactPoints,
    localDataCenter: options.localDataCenter,
    keyspace: withKeyspace ? validateKeyspaceName(options.keyspace) : undefined,
    credentials: options.username ? { username: options.username, password: options.password ?? '' } : undefined,
    socketOptions: { connectTimeout: 5_000 },
    ...(options.tls ? { sslOptions: options.tls } : {}),
  };
}

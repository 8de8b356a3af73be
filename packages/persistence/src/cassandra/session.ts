// The driver session every Cassandra store shares, and the small conversions between CQL values and the
// contract's plain numbers and byte arrays.
import type { ConnectionOptions } from 'node:tls';
import cassandra from 'cassandra-driver';
import { PersistenceError } from '../errors.js';

export type CqlClient = cassandra.Client;
export type CqlRow = cassandra.types.Row;
type Params = Record<string, unknown>;

export interface CassandraOptions {
  /** host or host:port; the port defaults to 9042. */
  contactPoints: string[];
  localDataCenter: string;
  keyspace: string;
  username?: string;
  password?: string;
  /** Consistency of reads and plain writes, e.g. LOCAL_QUORUM. */
  consistency?: string;
  /** Consistency of the Paxos phase of conditional (LWT) writes: LOCAL_SERIAL or SERIAL. */
  serialConsistency?: string;
  /** TLS to every node (the driver's sslOptions, Node tls.connect options); plaintext when absent. */
  tls?: ConnectionOptions;
}

export const DEFAULT_CONSISTENCY = 'LOCAL_QUORUM';
export const DEFAULT_SERIAL_CONSISTENCY = 'LOCAL_SERIAL';

const SERIAL_LEVELS = new Set(['SERIAL', 'LOCAL_SERIAL']);
/** The driver's consistency codes by their CQL names (localQuorum -> LOCAL_QUORUM). */
const CONSISTENCY_CODES = new Map(
  Object.entries(cassandra.types.consistencies)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
    .map(([name, code]) => [name.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase(), code]),
);

/** Maps a consistency name from the config to the driver's code; rejects unknown names and misplaced levels. */
export function parseConsistency(name: string, kind: 'consistency' | 'serialConsistency'): number {
  const upper = name.toUpperCase();
  const code = CONSISTENCY_CODES.get(upper);
  const serial = SERIAL_LEVELS.has(upper);
  if (code === undefined || serial !== (kind === 'serialConsistency')) {
    const allowed = kind === 'serialConsistency' ? 'SERIAL or LOCAL_SERIAL' : 'a non-serial level such as LOCAL_QUORUM';
    throw new PersistenceError(`persistence.cassandra.${kind}: ${name} is not ${allowed}`);
  }
  return code;
}

/** Statement helpers bound to one client: every statement is prepared, with the configured consistency levels. */
export class CqlSession {
  private readonly consistency: number;
  private readonly serialConsistency: number;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;

  constructor(
    readonly client: CqlClient,
    options: Pick<CassandraOptions, 'consistency' | 'serialConsistency'>,
  ) {
    this.consistency = parseConsistency(options.consistency ?? DEFAULT_CONSISTENCY, 'consistency');
    this.serialConsistency = parseConsistency(
      options.serialConsistency ?? DEFAULT_SERIAL_CONSISTENCY,
      'serialConsistency',
    );
  }

  /** A read or an unconditional write at the configured consistency. */
  async execute(query: string, params: Params = {}): Promise<cassandra.types.ResultSet> {
    return this.track(() => this.client.execute(query, params, { prepare: true, consistency: this.consistency }));
  }

  async rows(query: string, params: Params = {}): Promise<CqlRow[]> {
    return (await this.execute(query, params)).rows;
  }

  async first(query: string, params: Params = {}): Promise<CqlRow | undefined> {
    return (await this.execute(query, params)).first() ?? undefined;
  }

  /** Every row of a query, fetched fetchSize rows at a time with the driver's paging; stop iterating to stop. */
  async *scan(query: string, params: Params, fetchSize: number): AsyncGenerator<CqlRow> {
    let pageState: string | undefined;
    do {
      const result = await this.track(() =>
        this.client.execute(query, params, { prepare: true, consistency: this.consistency, fetchSize, pageState }),
      );
      yield* result.rows;
      pageState = result.pageState ?? undefined;
    } while (pageState);
  }

  /**
   * Unconditional writes in one request: an unlogged batch, so not atomic; for writes that are each idempotent.
   */
  async writeAll(statements: readonly Statement[]): Promise<void> {
    if (statements.length === 0) return;
    const options = { prepare: true, consistency: this.consistency };
    await this.track(() =>
      statements.length === 1
        ? this.client.execute(statements[0].query, statements[0].params, options)
        : this.client.batch(statements as Statement[], { ...options, logged: false }),
    );
  }

  /**
   * A conditional write (one statement, or a batch within one partition). Returns whether it applied and the
   * rows Cassandra read to decide: the current values of the conditioned rows that exist.
   */
  async conditional(statements: readonly Statement[]): Promise<ConditionalResult> {
    const options = { prepare: true, consistency: this.consistency, serialConsistency: this.serialConsistency };
    const result = await this.track(() =>
      statements.length === 1
        ? this.client.execute(statements[0].query, statements[0].params, options)
        : this.client.batch(statements as Statement[], { ...options, logged: true }),
    );
    const rows = result.rows ?? [];
    return { applied: rows.length === 0 || rows[0]['[applied]'] === true, rows };
  }

  /** Lets the statements already sent finish, then closes the connections. Idempotent. */
  close(): Promise<void> {
    this.closing ??= Promise.allSettled([...this.inFlight]).then(() => this.client.shutdown());
    return this.closing;
  }

  private track<T>(send: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new PersistenceError('the Cassandra store is closed'));
    const request = send();
    this.inFlight.add(request);
    const forget = () => this.inFlight.delete(request);
    request.then(forget, forget);
    return request;
  }
}

export interface Statement {
  query: string;
  params: Params;
}

export interface ConditionalResult {
  applied: boolean;
  rows: CqlRow[];
}

/** A bigint/int column as a JS number (every id and time in the contract fits in 2^53). */
export function toNumber(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return value;
  return (value as cassandra.types.Long).toNumber();
}

/** A blob column as bytes; null (an empty blob written as null) reads back empty. */
export function toBytes(value: unknown): Uint8Array {
  return value === null || value === undefined ? new Uint8Array() : (value as Buffer);
}

/** Contract blobs go to the driver as Buffers (it rejects plain Uint8Arrays). */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

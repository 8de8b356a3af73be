import Database from 'better-sqlite3';
import { applyMigrations } from './migrations.js';

export type SqliteDatabase = Database.Database;

/** How long a writer waits for another connection's (or process's) write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

/**
 * The LIMIT clause of a paged read, bound as @limit. Not `LIMIT @limit`: SQLite's planner reads a bound LIMIT, so
 * each run with the value bound again re-prepares the statement (about 20 µs, more than a short read itself); a
 * scalar subquery is only evaluated when the statement runs.
 */
export const BOUND_LIMIT = 'LIMIT (SELECT @limit)';

/** Opens the file (or ':memory:'), configures it for several processes sharing it, and migrates the schema. */
export function openDatabase(file: string): SqliteDatabase {
  const db = new Database(file);
  try {
    // WAL lets readers run while one writer commits; NORMAL sync is durable enough under WAL (a power loss can
    // drop the last commits but never corrupts the file).
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    applyMigrations(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Wraps fn in a transaction started with BEGIN IMMEDIATE: the write lock is taken before the conditions are
 * read, so no other connection can change them between the check and the write, and a busy writer is waited
 * for (busy_timeout) instead of failing on a lock upgrade.
 */
export function immediateTransaction<Args extends unknown[], Result>(
  db: SqliteDatabase,
  fn: (...args: Args) => Result,
): (...args: Args) => Result {
  const transaction = db.transaction(fn);
  return (...args) => transaction.immediate(...args);
}

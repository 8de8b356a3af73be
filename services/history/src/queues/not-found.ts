import { isNotFound } from '../rpc-codes.js';

/** A queue task whose run no longer exists has nothing to do; any other failure is retried by the queue. */
export function ignoreNotFound(err: unknown): undefined {
  if (isNotFound(err)) return undefined;
  throw err;
}

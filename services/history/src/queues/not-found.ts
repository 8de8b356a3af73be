import { Code, RpcError } from '@tempora/rpc';

/** A queue task whose run no longer exists has nothing to do; any other failure is retried by the queue. */
export function ignoreNotFound(err: unknown): undefined {
  if (err instanceof RpcError && err.code === Code.NOT_FOUND) return undefined;
  throw err;
}

// How matching reads history's errors.
import { Code } from '@tempora/rpc';

/** A gRPC status code off an RpcError or a grpc-js ServiceError, so this works in process and over the wire. */
function statusCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * History's answer for a task that must not be dispatched: the workflow is gone (NOT_FOUND), the task already
 * started (ALREADY_EXISTS), or the workflow moved past it (FAILED_PRECONDITION).
 */
export function isStaleTaskError(err: unknown): boolean {
  const code = statusCode(err);
  return code === Code.NOT_FOUND || code === Code.ALREADY_EXISTS || code === Code.FAILED_PRECONDITION;
}

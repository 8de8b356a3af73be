// Errors matching returns that callers branch on.
import { Code, RpcError } from '@tempora/rpc';

const STICKY_WORKER_UNAVAILABLE = 'StickyWorkerUnavailable';

/** AddWorkflowTask to a sticky queue nobody polled recently: history then uses the normal queue instead. */
export function stickyWorkerUnavailable(stickyQueueName: string): RpcError {
  return new RpcError(
    Code.FAILED_PRECONDITION,
    `${STICKY_WORKER_UNAVAILABLE}: no worker polled sticky task queue ${stickyQueueName} recently.`,
  );
}

/** A gRPC status code off an RpcError or a grpc-js ServiceError, so this works in process and over the wire. */
function statusCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** True for the error AddWorkflowTask throws when a sticky queue has no live worker (in process or over gRPC). */
export function isStickyWorkerUnavailable(err: unknown): boolean {
  if (statusCode(err) !== Code.FAILED_PRECONDITION) return false;
  // grpc-js puts the status message in `details` and prefixes `message` with the code.
  const { details, message } = err as { details?: unknown; message?: unknown };
  return [details, message].some((text) => typeof text === 'string' && text.includes(`${STICKY_WORKER_UNAVAILABLE}:`));
}

/**
 * History's answer for a task that must not be dispatched: the workflow is gone (NOT_FOUND), the task already
 * started (ALREADY_EXISTS), or the workflow moved past it (FAILED_PRECONDITION).
 */
export function isStaleTaskError(err: unknown): boolean {
  const code = statusCode(err);
  return code === Code.NOT_FOUND || code === Code.ALREADY_EXISTS || code === Code.FAILED_PRECONDITION;
}

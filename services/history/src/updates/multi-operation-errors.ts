// ExecuteMultiOperation's error shape: MultiOperationExecutionFailure with one status per operation; the failed
// one carries its own code, message and detail, the other is ABORTED (or OK for a start that succeeded).
import {
  ABORTED_OPERATION,
  Code,
  internalError,
  isRpcError,
  multiOperationFailed,
  operationStatus,
  type RpcError,
} from '@tempora/rpc';

const toRpcError = (err: unknown): RpcError =>
  isRpcError(err) ? err : internalError(err instanceof Error ? err.message : String(err));

/** Exactly one of the operations failed: `start` (the update was aborted) or `update` (the start succeeded or was aborted). */
export function updateWithStartFailed(
  failed: { start: unknown } | { update: unknown; startSucceeded: boolean },
): RpcError {
  const statuses =
    'start' in failed
      ? [operationStatus(toRpcError(failed.start)), ABORTED_OPERATION]
      : [
          failed.startSucceeded ? { code: Code.OK, message: '', details: [] } : ABORTED_OPERATION,
          operationStatus(toRpcError(failed.update)),
        ];
  return multiOperationFailed('Update-with-Start could not be executed.', statuses);
}

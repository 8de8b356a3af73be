// ExecuteMultiOperation's error shape: MultiOperationExecutionFailure with one status per operation; the failed
// one carries its own code, message and detail, the other is ABORTED.
import { Any } from '@tempora/proto/generated/google/protobuf/any';
import type { MultiOperationExecutionFailure_OperationStatus as OperationStatus } from '@tempora/proto/generated/temporal/api/errordetails/v1/message';
import { Code, internalError, isRpcError, multiOperationFailed, type RpcError } from '@tempora/rpc';

const ABORTED: OperationStatus = { code: Code.ABORTED, message: 'Operation was aborted.', details: [] };
const OK: OperationStatus = { code: Code.OK, message: '', details: [] };

function operationStatus(err: unknown): OperationStatus {
  const rpc = isRpcError(err) ? err : internalError(err instanceof Error ? err.message : String(err));
  const details = rpc.detail ? [Any.fromPartial({ typeUrl: `type.googleapis.com/${rpc.detail.typeName}`, value: Buffer.from(rpc.detail.value) })] : [];
  return { code: rpc.code, message: rpc.message, details };
}

/** Exactly one of the operations failed: `start` (the update was aborted) or `update` (the start succeeded or was aborted). */
export function updateWithStartFailed(failed: { start: unknown } | { update: unknown; startSucceeded: boolean }): RpcError {
  const statuses =
    'start' in failed ? [operationStatus(failed.start), ABORTED] : [failed.startSucceeded ? OK : ABORTED, operationStatus(failed.update)];
  return multiOperationFailed('Update-with-Start could not be executed.', statuses);
}

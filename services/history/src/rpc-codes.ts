// Errors from other history shards arrive as RpcError in process and as grpc ServiceError across processes;
// both carry the gRPC status code.
import { Code } from '@tempora/rpc';

export function rpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export const isNotFound = (err: unknown) => rpcCode(err) === Code.NOT_FOUND;
export const isAlreadyExists = (err: unknown) => rpcCode(err) === Code.ALREADY_EXISTS;
export const isInvalidArgument = (err: unknown) => rpcCode(err) === Code.INVALID_ARGUMENT;

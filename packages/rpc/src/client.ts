// Typed clients for our internal services. In start-dev a client calls the other service's handlers in process;
// in cluster mode the same interface is backed by a gRPC channel. Either way requests and responses pass through
// fromPartial(), so callers see exactly what they would see over the wire.
import type { ServiceDefinition } from '@grpc/grpc-js';
import { unimplemented, type DeepPartial } from './errors.js';
import {
  localCallContext,
  type AsyncHandlers,
  type MessageType,
  type UnaryRequest,
  type UnaryResponse,
} from './server.js';

export interface CallOptions {
  /** Epoch ms; Infinity (default) = no deadline. */
  deadline?: number;
  signal?: AbortSignal;
}

/** A promise-returning client for a ts-proto generated `XxxServer` interface. */
export type RpcClient<S> = {
  [K in keyof S as K extends string ? K : never]-?: (
    request: DeepPartial<UnaryRequest<S[K]>>,
    options?: CallOptions,
  ) => Promise<UnaryResponse<S[K]>>;
};

/**
 * A client whose calls run `handlers` in this process. Methods without a handler throw UNIMPLEMENTED, as the
 * served version would.
 */
export function inProcessClient<S>(
  definition: ServiceDefinition,
  messages: Record<string, unknown>,
  handlers: AsyncHandlers<S>,
): RpcClient<S> {
  const client: Record<string, unknown> = {};
  for (const [key, method] of Object.entries(definition)) {
    const [serviceName = '', methodName = ''] = method.path.split('/').slice(-2);
    const qualified = `${serviceName.split('.').pop()}/${methodName}`;
    const requestType = messages[`${methodName}Request`] as MessageType;
    const responseType = messages[`${methodName}Response`] as MessageType;
    client[key] = async (request: unknown, options: CallOptions = {}) => {
      // Looked up per call, so a client can be handed out before the service behind it is constructed.
      const handler = (handlers as Record<string, ((req: unknown, ctx: unknown) => Promise<unknown>) | undefined>)[key];
      if (!handler) throw unimplemented(qualified);
      const ctx = localCallContext(qualified, options.deadline ?? Infinity, options.signal);
      return responseType.fromPartial(await handler(requestType.fromPartial(request), ctx));
    };
  }
  return client as RpcClient<S>;
}

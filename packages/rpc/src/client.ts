// Typed clients for our internal services. In start-dev a client calls the other service's handlers in process;
// in cluster mode the same interface is backed by a gRPC channel. Either way requests and responses pass through
// fromPartial(), so callers see exactly what they would see over the wire.
import type { ServiceDefinition } from '@grpc/grpc-js';
import { unimplemented, type DeepPartial } from './errors.js';
import { RpcCall, asRpcError, composeInterceptors, methodNames, type Interceptor } from './interceptor.js';
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

/** The pipelines of an in-process client: its own (client side) and the served side of the service it calls. */
export interface InProcessClientOptions {
  /** The calling side's pipeline (as a gRPC client's would run). */
  interceptors?: readonly Interceptor[];
  /** The called service's served-call pipeline (as its gRPC server's would run), so start-dev reports like a cluster. */
  serverInterceptors?: readonly Interceptor[];
  /** The Tempora service the handlers belong to ('history', 'matching'): `RpcCall.service`. */
  service?: string;
}

/**
 * A client whose calls run `handlers` in this process. Methods without a handler throw UNIMPLEMENTED, as the
 * served version would. With interceptors, both pipelines run and a handler's unexpected error reaches the caller
 * as INTERNAL, as it would over the wire.
 */
export function inProcessClient<S>(
  definition: ServiceDefinition,
  messages: Record<string, unknown>,
  handlers: AsyncHandlers<S>,
  options: InProcessClientOptions = {},
): RpcClient<S> {
  const client: Record<string, unknown> = {};
  const service = options.service ?? '';
  const intercepted = Boolean(options.interceptors?.length || options.serverInterceptors?.length);
  for (const [key, method] of Object.entries(definition)) {
    const { method: methodName, qualified } = methodNames(method.path);
    const requestType = messages[`${methodName}Request`] as MessageType;
    const responseType = messages[`${methodName}Response`] as MessageType;
    // Looked up per call, so a client can be handed out before the service behind it is constructed.
    const handlerOf = () =>
      (handlers as Record<string, ((req: unknown, ctx: unknown) => Promise<unknown>) | undefined>)[key];
    if (!intercepted) {
      client[key] = async (request: unknown, callOptions: CallOptions = {}) => {
        const handler = handlerOf();
        if (!handler) throw unimplemented(qualified);
        const ctx = localCallContext(qualified, callOptions.deadline ?? Infinity, callOptions);
        return responseType.fromPartial(await handler(requestType.fromPartial(request), ctx));
      };
      continue;
    }
    const served = composeInterceptors(options.serverInterceptors, async (call) => {
      const handler = handlerOf();
      if (!handler) throw unimplemented(qualified);
      const ctx = localCallContext(qualified, call.deadline, call);
      if (call.hasMetadata) ctx.metadata = call.metadata;
      try {
        return await handler(call.request, ctx);
      } catch (err) {
        throw asRpcError(err, qualified);
      }
    });
    const sent = composeInterceptors(options.interceptors, async (call) => {
      const serverCall = new RpcCall(
        'server',
        'in-process',
        service,
        methodName,
        qualified,
        call.request,
        call.deadline,
        call,
        call.hasMetadata ? call.metadata : undefined,
      );
      return responseType.fromPartial(await served(serverCall));
    });
    client[key] = (request: unknown, callOptions: CallOptions = {}) =>
      sent(
        new RpcCall(
          'client',
          'in-process',
          service,
          methodName,
          qualified,
          requestType.fromPartial(request),
          callOptions.deadline ?? Infinity,
          callOptions,
        ),
      );
  }
  return client as RpcClient<S>;
}

// Serving ts-proto grpc-js service definitions with async handlers that return plain (partial) objects.
// ts-proto's encode() expects fully populated messages, so responses go through fromPartial() first; that lets
// handlers return only the fields they set, the way upstream's Go handlers do.
import { randomBytes } from 'node:crypto';
import {
  Server,
  ServerCredentials,
  type Metadata,
  type ServerUnaryCall,
  type sendUnaryData,
  type ServiceDefinition,
  type UntypedServiceImplementation,
  type handleUnaryCall,
} from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import type { Logger } from '@tempora/common';
import { encodeToBuffer, strictReader, type Encodable } from '@tempora/proto/wire';
import { Code, RpcError, internalError, invalidArgument, unimplemented, type DeepPartial } from './errors.js';
import {
  RpcCall,
  composeInterceptors,
  methodNames,
  type Interceptor,
  type Next,
  type SignalSource,
} from './interceptor.js';

export interface CallContext {
  /** "Service/Method", e.g. "WorkflowService/StartWorkflowExecution". */
  method: string;
  metadata: Metadata;
  /** The caller's deadline in epoch ms; Infinity when it set none. */
  deadline: number;
  /** Aborted when the caller cancels or its deadline passes. */
  signal: AbortSignal;
  /** The `client-name` header (e.g. temporal-typescript, temporal-cli), or ''. */
  clientName: string;
  /** The `client-version` header, or ''. */
  clientVersion: string;
  /** The verified client certificate of a TLS connection (mTLS), read on demand; absent for in-process calls. */
  peerCertificate?: () => PeerCertificate | undefined;
}

/**
 * A handler context for calls that did not come over the network (tests, in-process callers). The caller's signal
 * is read from `source` when a handler first asks for it (most never do: a served call's context makes its
 * AbortController only then, ~2 µs); without one, a signal that never aborts is made.
 */
export function localCallContext(method: string, deadline = Infinity, source?: SignalSource): CallContext {
  let own: AbortSignal | undefined;
  return {
    method,
    metadata: undefined as unknown as Metadata,
    deadline,
    get signal() {
      return (own ??= source?.signal ?? new AbortController().signal);
    },
    clientName: 'tempora-internal',
    clientVersion: '',
  };
}

// Both type parameters are inferred, the unused one as `_Req`/`_Res`, so neither needs an `any` placeholder.
export type UnaryRequest<H> = H extends handleUnaryCall<infer Req, infer _Res> ? Req : never;
export type UnaryResponse<H> = H extends handleUnaryCall<infer _Req, infer Res> ? Res : never;

/** Async handlers for a ts-proto generated `XxxServer` interface; every method is optional. */
export type AsyncHandlers<S> = {
  [K in keyof S]?: (request: UnaryRequest<S[K]>, ctx: CallContext) => Promise<DeepPartial<UnaryResponse<S[K]>>>;
};

/** The part of a ts-proto generated message type that serving and in-process calls use. */
export interface MessageType extends Encodable<unknown> {
  fromPartial(object: unknown): unknown;
}

interface RequestType {
  decode(input: ReturnType<typeof strictReader>): unknown;
}

/**
 * A request that did not decode (invalid UTF-8 in a string, an int64 beyond what a number holds). grpc-js would
 * answer a throwing deserializer with INTERNAL; this marker lets the handler answer INVALID_ARGUMENT instead, with
 * the message upstream's Go server gives ("grpc: error unmarshalling request: ...").
 */
class UndecodableRequest {
  constructor(readonly reason: string) {}
}

function strictDeserializer(requestType: RequestType): (bytes: Buffer) => unknown {
  return (bytes) => {
    try {
      return requestType.decode(strictReader(bytes));
    } catch (err) {
      return new UndecodableRequest(err instanceof Error ? err.message : String(err));
    }
  };
}

function undecodable(request: unknown): RpcError | undefined {
  if (!(request instanceof UndecodableRequest)) return undefined;
  return invalidArgument(`grpc: error unmarshalling request: ${request.reason}`);
}

export interface ServeOptions {
  logger: Logger;
  /** The generated module exporting the service's request/response message types (XxxRequest, XxxResponse). */
  messages: Record<string, unknown>;
  /** The served-call pipeline, outermost first (see interceptor.ts). Unimplemented methods pass through it too. */
  interceptors?: readonly Interceptor[];
  /** The Tempora service these handlers belong to ('frontend', 'history', ...): `RpcCall.service`. */
  service?: string;
}

/** A served call's context, and `respond`, which answers the call with the handler's outcome. */
function callContext(
  method: string,
  call: ServerUnaryCall<unknown, unknown>,
  callback: sendUnaryData<unknown>,
  logger: Logger,
): { ctx: CallContext; respond: (outcome: Promise<unknown>) => void } {
  // Made when a handler first asks for the signal (most never do), aborted at once if the caller cancelled before.
  let controller: AbortController | undefined;
  let cancelled = false;
  // grpc-js also emits 'cancelled' after every answered call (once its trailers are sent). Aborting then would
  // only build an AbortError (a DOMException with a stack) that no handler waits for any more.
  let answered = false;
  call.on('cancelled', () => {
    if (answered) return;
    cancelled = true;
    controller?.abort();
  });
  const deadline = call.getDeadline();
  const header = (name: string) => {
    const value = call.metadata.get(name)[0];
    return typeof value === 'string' ? value : '';
  };
  const ctx: CallContext = {
    method,
    metadata: call.metadata,
    deadline: deadline instanceof Date ? deadline.getTime() : deadline,
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (cancelled) controller.abort();
      }
      return controller.signal;
    },
    clientName: header('client-name'),
    clientVersion: header('client-version'),
    peerCertificate: () => {
      try {
        const cert = call.getAuthContext().sslPeerCertificate;
        return cert && Object.keys(cert).length ? cert : undefined;
      } catch {
        return undefined;
      }
    },
  };
  const respond = (outcome: Promise<unknown>) =>
    void outcome.then(
      (response) => {
        answered = true;
        callback(null, response ?? {});
      },
      (err: unknown) => {
        answered = true;
        callback(toRpcError(err, method, logger).toServiceError());
      },
    );
  return { ctx, respond };
}

/** A served call with the handler's context attached (an interceptor that substitutes the call loses it). */
export class ServedCall extends RpcCall {
  constructor(
    readonly ctx: CallContext,
    ...args: ConstructorParameters<typeof RpcCall>
  ) {
    super(...args);
  }

  /** The handler's (made on first use). */
  override get signal(): AbortSignal {
    return this.ctx.signal;
  }
}

/**
 * Registers every method of `definition` on `server`. Methods without a handler answer UNIMPLEMENTED naming the
 * method; thrown RpcErrors become their status (with details); anything else is logged and becomes INTERNAL.
 */
export function serveService<S>(
  server: Server,
  definition: ServiceDefinition,
  handlers: AsyncHandlers<S>,
  options: ServeOptions,
): void {
  const wrappedDefinition: Record<string, unknown> = {};
  const implementation: UntypedServiceImplementation = {};
  for (const [key, method] of Object.entries(definition)) {
    const { method: methodName, qualified } = methodNames(method.path);
    const responseType = options.messages[`${methodName}Response`] as MessageType | undefined;
    if (!responseType) throw new Error(`no response message type for ${method.path}`);
    const requestType = options.messages[`${methodName}Request`] as RequestType | undefined;
    wrappedDefinition[key] = {
      ...method,
      ...(requestType && { requestDeserialize: strictDeserializer(requestType) }),
      responseSerialize: (value: unknown) => encodeToBuffer(responseType, responseType.fromPartial(value)),
    };
    const handler = (handlers as Record<string, ((req: unknown, ctx: CallContext) => Promise<unknown>) | undefined>)[
      key
    ];
    if (!options.interceptors?.length) {
      implementation[key] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        if (!handler) {
          callback(unimplemented(qualified).toServiceError());
          return;
        }
        const refused = undecodable(call.request);
        if (refused) {
          callback(refused.toServiceError());
          return;
        }
        const { ctx, respond } = callContext(qualified, call, callback, options.logger);
        respond(handler(call.request, ctx));
      };
      continue;
    }
    // With interceptors: the pipeline is composed once; the handler's CallContext rides on the RpcCall.
    const last: Next = handler
      ? async (rpcCall) => {
          try {
            const ctx = (rpcCall as ServedCall).ctx ?? localCallContext(qualified, rpcCall.deadline, rpcCall);
            return (await handler(rpcCall.request, ctx)) ?? {};
          } catch (err) {
            throw toRpcError(err, qualified, options.logger);
          }
        }
      : () => Promise.reject(unimplemented(qualified));
    const pipeline = composeInterceptors(options.interceptors, last);
    implementation[key] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      // Before the pipeline: its interceptors read the request's fields (namespace, task queue).
      const refused = undecodable(call.request);
      if (refused) {
        callback(refused.toServiceError());
        return;
      }
      const { ctx, respond } = callContext(qualified, call, callback, options.logger);
      const rpcCall = new ServedCall(
        ctx,
        'server',
        'grpc',
        options.service ?? '',
        methodName,
        qualified,
        call.request,
        ctx.deadline,
        undefined,
        call.metadata,
      );
      respond(pipeline(rpcCall));
    };
  }
  server.addService(wrappedDefinition as ServiceDefinition, implementation);
}

/**
 * Typed RpcErrors pass through unchanged. Anything else is logged with its detail (stack, method, an error id) and
 * answered INTERNAL with a generic message naming only that id: internals (store errors, paths, queries) never reach
 * callers.
 */
export function toRpcError(err: unknown, method: string, logger: Logger): RpcError {
  if (err instanceof RpcError) return err;
  const errorId = randomBytes(6).toString('hex');
  logger.error({ err, method, errorId }, 'unexpected error in RPC handler');
  return internalError(`${INTERNAL_ERROR_MESSAGE} (error id ${errorId})`);
}

/** What callers see of an unexpected error. */
export const INTERNAL_ERROR_MESSAGE = 'Something went wrong, please retry.';

/** gRPC message size limits in bytes (config limits.grpc). */
export interface MessageLimits {
  maxReceiveMessageSize: number;
  maxSendMessageSize: number;
}

export function createServer(limits?: MessageLimits): Server {
  return new Server({
    // Workflow task completions and histories can be large; upstream's servers accept 128 MiB messages.
    'grpc.max_receive_message_length': limits?.maxReceiveMessageSize || 128 * 1024 * 1024,
    'grpc.max_send_message_length': limits?.maxSendMessageSize || 128 * 1024 * 1024,
    'grpc.keepalive_permit_without_calls': 1,
    // Channelz (on by default) counts and timestamps every call and message for a debug service nothing serves.
    'grpc.enable_channelz': 0,
  });
}

/** Binds and starts; resolves with the bound port (useful with port 0). Plaintext unless given credentials (tls.ts). */
export function listen(
  server: Server,
  host: string,
  port: number,
  credentials: ServerCredentials = ServerCredentials.createInsecure(),
): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, credentials, (err, boundPort) => {
      if (err) reject(err);
      else resolve(boundPort);
    });
  });
}

/** Stops accepting calls, lets in-flight calls finish for up to graceMs, then cancels the rest. */
export function shutdown(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export { Code };

// Internal RPCs over gRPC between processes (cluster mode), behind the same RpcClient interface the in-process
// client implements. A routed client sends each call to the host that owns it and retries while ownership moves.
import { Client, Metadata, type MethodDefinition, type ServiceDefinition } from '@grpc/grpc-js';
import type { RpcClient, CallOptions } from './client.js';
import { Code, RpcError, isRpcError, rpcErrorFromStatus, unavailable } from './errors.js';
import { RpcCall, composeInterceptors, methodNames, type Interceptor, type Next } from './interceptor.js';
import type { MessageType } from './server.js';
import { INSECURE_CHANNEL, type ChannelSecurity } from './tls.js';

/** Decides where a call goes. */
export interface Router {
  /** host:port of the host that owns this call (by its method name, e.g. "startWorkflowExecution"), if any. */
  route(method: string, request: unknown): string | undefined;
}

export interface RoutedClientOptions {
  router: Router;
  /** Names the target service in errors, e.g. "history". */
  serviceName: string;
  /** How long a call without a deadline keeps retrying; calls with one retry until it. */
  retryBudgetMs?: number;
  /** TLS to the owners (internode); plaintext when absent. */
  security?: ChannelSecurity;
  /** The outgoing-call pipeline; it wraps the whole call, retries included (one RpcCall per call). */
  interceptors?: readonly Interceptor[];
}

export interface GrpcClientOptions {
  /** The outgoing-call pipeline. */
  interceptors?: readonly Interceptor[];
  /** Names the target service: `RpcCall.service`. */
  serviceName?: string;
  /** TLS to the server; plaintext when absent. */
  security?: ChannelSecurity;
}

export type ClosableRpcClient<S> = RpcClient<S> & { close(): void };

const DEFAULT_RETRY_BUDGET_MS = 30_000;
const FIRST_BACKOFF_MS = 20;
const MAX_BACKOFF_MS = 500;

const CHANNEL_OPTIONS = {
  'grpc.max_receive_message_length': 128 * 1024 * 1024,
  'grpc.max_send_message_length': 128 * 1024 * 1024,
  // A peer that vanished without closing its sockets is noticed instead of hanging calls until their deadline.
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
};

/** One channel per address, shared by every call of a client. */
class Channels {
  private readonly clients = new Map<string, Client>();

  constructor(private readonly security: ChannelSecurity = INSECURE_CHANNEL) {}

  get(address: string): Client {
    let client = this.clients.get(address);
    if (!client) {
      const { credentials, channelOptions } = this.security;
      client = new Client(address, credentials, { ...CHANNEL_OPTIONS, ...channelOptions });
      this.clients.set(address, client);
    }
    return client;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}

function unaryCall(
  client: Client,
  method: MethodDefinition<unknown, unknown>,
  request: unknown,
  options: CallOptions,
  metadata: Metadata = new Metadata(),
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const deadline = options.deadline ?? Infinity;
    const call = client.makeUnaryRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      request,
      metadata,
      Number.isFinite(deadline) ? { deadline } : {},
      (err, response) => (err ? reject(rpcErrorFromStatus(err)) : resolve(response)),
    );
    options.signal?.addEventListener('abort', () => call.cancel(), { once: true });
  });
}

interface Method {
  key: string;
  definition: MethodDefinition<unknown, unknown>;
  requestType: MessageType;
  name: string;
  qualified: string;
}

function methodsOf(definition: ServiceDefinition, messages: Record<string, unknown>): Method[] {
  return Object.entries(definition).map(([key, method]) => {
    const { method: name, qualified } = methodNames(method.path);
    return {
      key,
      definition: method as MethodDefinition<unknown, unknown>,
      requestType: messages[`${name}Request`] as MessageType,
      name,
      qualified,
    };
  });
}

/**
 * `send(request, options, metadata)` behind the client pipeline, or `send` itself when there is none. The call's
 * metadata (what interceptors set) is what goes on the wire.
 */
function intercept(
  interceptors: readonly Interceptor[] | undefined,
  service: string,
  method: Method,
  send: (request: unknown, options: CallOptions, metadata?: Metadata) => Promise<unknown>,
): (request: unknown, options: CallOptions) => Promise<unknown> {
  if (!interceptors?.length) return send;
  const optionsOf = new WeakMap<RpcCall, CallOptions>();
  const last: Next = (call) =>
    send(call.request, optionsOf.get(call) ?? { deadline: call.deadline, signal: call.signal }, call.metadata);
  const pipeline = composeInterceptors(interceptors, last);
  return (request, options) => {
    const call = new RpcCall(
      'client',
      'grpc',
      service,
      method.name,
      method.qualified,
      request,
      options.deadline ?? Infinity,
      options,
    );
    optionsOf.set(call, options);
    return pipeline(call);
  };
}

/** A client for one fixed address (the CLI's admin commands). */
export function grpcClient<S>(
  definition: ServiceDefinition,
  messages: Record<string, unknown>,
  address: string,
  clientOptions: GrpcClientOptions = {},
): ClosableRpcClient<S> {
  const channels = new Channels(clientOptions.security);
  const client: Record<string, unknown> = { close: () => channels.close() };
  for (const method of methodsOf(definition, messages)) {
    const send = intercept(
      clientOptions.interceptors,
      clientOptions.serviceName ?? '',
      method,
      (request, options, md) => unaryCall(channels.get(address), method.definition, request, options, md),
    );
    client[method.key] = (request: unknown, options: CallOptions = {}) =>
      send(method.requestType.fromPartial(request), options);
  }
  return client as ClosableRpcClient<S>;
}

/** Whether a failed attempt may be sent again, to the same or a new owner. */
function retryable(err: unknown, options: CallOptions): boolean {
  if (!isRpcError(err)) return false;
  // UNAVAILABLE covers "not the owner" (OwnershipLostFailure), a host that is down or draining, and a connection
  // that broke; CANCELLED that the caller did not ask for is a server that stopped mid-call.
  return err.code === Code.UNAVAILABLE || (err.code === Code.CANCELLED && !options.signal?.aborted);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * A client that sends every call to the owner the router names and, when ownership is moving (not the owner,
 * owner unreachable, no owner yet), retries with a short backoff until the caller's deadline.
 */
export function routedClient<S>(
  definition: ServiceDefinition,
  messages: Record<string, unknown>,
  options: RoutedClientOptions,
): ClosableRpcClient<S> {
  const channels = new Channels(options.security);
  const budget = options.retryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS;
  const client: Record<string, unknown> = { close: () => channels.close() };
  for (const method of methodsOf(definition, messages)) {
    const send = intercept(options.interceptors, options.serviceName, method, async (request, callOptions, md) => {
      const giveUpAt = Math.min(callOptions.deadline ?? Infinity, Date.now() + budget);
      let backoff = FIRST_BACKOFF_MS;
      for (;;) {
        const address = options.router.route(method.key, request);
        try {
          if (!address) throw unavailable(`No ${options.serviceName} host owns this ${method.key} call right now.`);
          return await unaryCall(channels.get(address), method.definition, request, callOptions, md);
        } catch (err) {
          if (!retryable(err, callOptions) || Date.now() + backoff >= giveUpAt) throw err;
        }
        await sleep(backoff, callOptions.signal);
        if (callOptions.signal?.aborted) throw new RpcError(Code.CANCELLED, 'The call was cancelled.');
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    });
    client[method.key] = (partial: unknown, callOptions: CallOptions = {}) =>
      send(method.requestType.fromPartial(partial), callOptions);
  }
  return client as ClosableRpcClient<S>;
}

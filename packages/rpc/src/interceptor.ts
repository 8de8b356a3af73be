// The one interceptor pipeline of every call, served or sent, over gRPC or in process. Modelled on connect-es's
// `Interceptor` (`(next) => async (req) => res`) and upstream's common/rpc/interceptor chain: an ordered list, the
// first element outermost. Telemetry (metrics, request logs, later traces) is the first user; authorization, rate
// limits, payload limits and internal-error masking plug into the same seam.
//
// Cost: a pipeline is composed once per method when a server or client is built; with no interceptors the call
// path is exactly the old one (no RpcCall is allocated). Namespace, workflow id and run id are read from the request
// lazily, only when an interceptor asks.
import { Metadata } from '@grpc/grpc-js';
import { RpcError, internalError } from './errors.js';

/** Which end of a call an interceptor sits on. */
export type CallSide = 'server' | 'client';
/** How the call travels: over a gRPC channel, as a function call in this process (start-dev), or the HTTP API. */
export type CallTransport = 'grpc' | 'in-process' | 'http';

/** The rest of the pipeline: resolves with the response or rejects with an RpcError. */
export type Next = (call: RpcCall) => Promise<unknown>;

/**
 * An interceptor wraps the rest of the pipeline. It may look at or change `call` (metadata, attributes) before
 * calling `next`, and look at or replace the response or the error after. Errors that reach an interceptor are
 * always RpcErrors (a handler's unexpected error is already INTERNAL), so `err.code` is the status the caller sees.
 *
 * ```ts
 * const timing: Interceptor = (next) => async (call) => {
 *   const start = performance.now();
 *   try { return await next(call); }
 *   finally { record(call.method, performance.now() - start); }
 * };
 * ```
 */
export type Interceptor = (next: Next) => Next;

/** The fields the accessors read, as the generated request types spell them. */
interface RequestFields {
  namespace?: unknown;
  namespaceId?: unknown;
  workflowId?: unknown;
  runId?: unknown;
  execution?: ExecutionRef;
  workflowExecution?: ExecutionRef;
  startRequest?: { workflowId?: unknown };
  request?: RequestFields;
}
interface ExecutionRef {
  workflowId?: unknown;
  runId?: unknown;
}

const str = (value: unknown) => (typeof value === 'string' ? value : '');

/** Where a request names its workflow execution, tried in order (the same conventions routing uses). */
function executionOf(r: RequestFields | undefined): ExecutionRef | undefined {
  if (!r || typeof r !== 'object') return undefined;
  if (r.execution?.workflowId) return r.execution;
  if (r.workflowExecution?.workflowId) return r.workflowExecution;
  if (str(r.workflowId)) return r;
  if (r.startRequest?.workflowId) return r.startRequest;
  // Internal history requests wrap the frontend request: { namespaceId, request: { ... } }.
  return r.request ? executionOf(r.request) : undefined;
}

/** Anything with a caller's signal: call options, a handler's CallContext, another RpcCall. */
export interface SignalSource {
  readonly signal?: AbortSignal | undefined;
}

/** One call as interceptors see it. Created per call only when the pipeline has interceptors. */
export class RpcCall {
  private attrs: Map<string, unknown> | undefined;
  private meta: Metadata | undefined;

  constructor(
    readonly side: CallSide,
    readonly transport: CallTransport,
    /** The Tempora service that handles the call: 'frontend', 'history', 'matching', 'worker' (or '' if unknown). */
    readonly service: string,
    /** The method as upstream's metrics name it (the operation tag): "StartWorkflowExecution". */
    readonly method: string,
    /** "Service/Method", e.g. "WorkflowService/StartWorkflowExecution" (the handler CallContext's `method`). */
    readonly qualified: string,
    /**
     * The decoded request (server side) or the request about to be sent (client side, after fromPartial). An
     * interceptor may replace it before calling `next`.
     */
    public request: unknown,
    /** Epoch ms; Infinity when the caller set none. */
    readonly deadline: number,
    /**
     * Whose `signal` this call's is, read when first asked for: a served call's context makes its AbortController
     * only then, and most calls never need one.
     */
    private readonly signalSource: SignalSource | undefined,
    metadata?: Metadata,
  ) {
    this.meta = metadata;
  }

  /** Aborted when the caller cancels (server side: the peer cancelled or its deadline passed). */
  get signal(): AbortSignal | undefined {
    return this.signalSource?.signal;
  }

  /**
   * Request headers. Server side: what the caller sent (over gRPC) or the client pipeline set (in process).
   * Client side: what will be sent; interceptors may add entries (e.g. a trace context).
   */
  get metadata(): Metadata {
    return (this.meta ??= new Metadata());
  }

  /** Whether any metadata exists, without creating it. */
  get hasMetadata(): boolean {
    return this.meta !== undefined;
  }

  /** The namespace name the request names (`namespace` field), or ''. */
  get namespace(): string {
    return str((this.request as RequestFields | undefined)?.namespace);
  }

  /** The namespace id of an internal request (`namespaceId` field), or ''. */
  get namespaceId(): string {
    return str((this.request as RequestFields | undefined)?.namespaceId);
  }

  /** The workflow id the request names, by field convention, or ''. */
  get workflowId(): string {
    return str(executionOf(this.request as RequestFields)?.workflowId);
  }

  /** The run id the request names, by field convention, or ''. */
  get runId(): string {
    return str(executionOf(this.request as RequestFields)?.runId);
  }

  /** Per-call attributes interceptors share (e.g. a span, an authorized principal, a resolved namespace name). */
  get attributes(): Map<string, unknown> {
    return (this.attrs ??= new Map());
  }
}

/** Composes interceptors around `last`; the first interceptor is outermost. Empty list: `last` itself. */
export function composeInterceptors(interceptors: readonly Interceptor[] | undefined, last: Next): Next {
  if (!interceptors?.length) return last;
  let next = last;
  for (let i = interceptors.length - 1; i >= 0; i--) next = interceptors[i]!(next);
  return next;
}

/** What an error looks like to interceptors and callers: RpcErrors as they are, anything else INTERNAL. */
export function asRpcError(err: unknown, qualified: string): RpcError {
  if (err instanceof RpcError) return err;
  return internalError(`${qualified}: ${(err as Error)?.message ?? String(err)}`);
}

/** Splits a method path "/pkg.Service/Method" into the short service name, the method and "Service/Method". */
export function methodNames(path: string): { service: string; method: string; qualified: string } {
  const [serviceName = '', methodName = ''] = path.split('/').slice(-2);
  const service = serviceName.split('.').pop() ?? '';
  return { service, method: methodName, qualified: `${service}/${methodName}` };
}

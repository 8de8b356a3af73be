// The HTTP API (upstream: the frontend's HTTPAPIServer, grpc-gateway over the `google.api.http` annotations). Each
// call is decoded into the same request message a gRPC call carries and runs the frontend's served-call pipeline
// (telemetry, authorization, rate limits) and handler, as upstream's inline client connection runs its gRPC
// interceptors; the response or error is written as upstream's JSON, with grpc-gateway's HTTP status codes.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { Metadata, type ServiceDefinition } from '@grpc/grpc-js';
import type { JsonObject, JsonValue } from '@bufbuild/protobuf';
import type { Logger, ServerTlsConfig } from '@tempora/common';
import { HTTP_RULES } from '@tempora/proto/http';
import { Code, RpcError, invalidArgument, unimplemented } from './errors.js';
import type { HttpJsonCodec, JsonOptions } from './http-json.js';
import { HttpRouteTable, type CompiledRoute } from './http-routes.js';
import { composeInterceptors, methodNames, type Interceptor, type Next } from './interceptor.js';
import { ServedCall, toRpcError, type AsyncHandlers, type CallContext } from './server.js';
import { CertificateFiles } from './tls.js';

/** Upstream's limit on an HTTP API request body (rpc.MaxHTTPAPIRequestBytes, gRPC's default message size). */
export const MAX_HTTP_REQUEST_BYTES = 4 * 1024 * 1024;

/** The client-name upstream puts on HTTP calls that send none (headers.ClientNameServerHTTP). */
export const HTTP_CLIENT_NAME = 'temporal-server-http';

/** Headers passed on as gRPC metadata besides `Authorization` and `Grpc-Metadata-*` (upstream's defaults). */
const FORWARDED_HEADERS = ['authorization-extras', 'x-forwarded-for', 'client-name', 'client-version'];

/** One public gRPC service the API serves: its grpc-js definition, its generated messages and the handlers. */
export interface HttpServedService {
  definition: ServiceDefinition;
  messages: Record<string, unknown>;
  handlers: AsyncHandlers<unknown>;
}

export interface HttpGatewayOptions {
  services: readonly HttpServedService[];
  /** The served-call pipeline of the frontend (the one its gRPC server runs). */
  interceptors: readonly Interceptor[];
  /** `RpcCall.service` of the calls: 'frontend'. */
  service: string;
  logger: Logger;
  /** The client-version sent for callers that name none (upstream: the server's version). */
  serverVersion: string;
  /** The frontend's TLS (tls.frontend.server): the HTTP API is served with the same certificates, as upstream's. */
  tls?: { config: ServerTlsConfig; refreshMs: number };
}

interface Invoker {
  route: CompiledRoute;
  pipeline: Next;
  decode(bytes: Uint8Array): unknown;
  encode(response: unknown): Uint8Array;
}

interface MessageCodec {
  decode(bytes: Uint8Array): unknown;
  encode(message: unknown): { finish(): Uint8Array };
  fromPartial(object: unknown): unknown;
}

export class HttpGateway {
  private readonly routes = new HttpRouteTable(HTTP_RULES);
  /**
   * The JSON codec (protobuf-es and the Temporal API descriptor set) is loaded by the first request, and each route's
   * invoker is built by the first request to it: together about 150 ms that a process start (its gRPC port above
   * all, right after a restart) should not wait for.
   */
  private json: Promise<HttpJsonCodec> | undefined;
  private readonly invokers = new Map<CompiledRoute, Invoker>();
  private readonly served: Map<string, HttpServedService>;
  private server: Server | undefined;
  private unwatch: (() => void) | undefined;

  constructor(private readonly options: HttpGatewayOptions) {
    this.served = new Map(options.services.map((s) => [serviceNameOf(s.definition), s]));
  }

  private codec(): Promise<HttpJsonCodec> {
    return (this.json ??= import('./http-json.js').then(({ HttpJsonCodec: Codec }) => new Codec()));
  }

  /** Undefined for a route of a service this gateway does not serve. */
  private invokerFor(route: CompiledRoute): Invoker | undefined {
    let invoker = this.invokers.get(route);
    const served = this.served.get(route.service);
    if (!invoker && served) {
      invoker = this.invoker(route, served);
      this.invokers.set(route, invoker);
    }
    return invoker;
  }

  /** Binds host:port (0 = any free port) and resolves with the bound port. */
  async listen(host: string, port: number): Promise<number> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const tls = this.options.tls;
    if (tls?.config.certFile) {
      const files = new CertificateFiles({
        caFiles: tls.config.clientCaFiles,
        certFile: tls.config.certFile,
        keyFile: tls.config.keyFile,
        refreshMs: tls.refreshMs,
        logger: this.options.logger,
        name: 'tls.frontend.server',
      });
      const server = createHttpsServer(
        { ...files.contextOptions(), requestCert: files.hasCa, rejectUnauthorized: tls.config.requireClientAuth },
        handler,
      );
      this.unwatch = files.onChange(() => server.setSecureContext(files.contextOptions()));
      this.server = server;
    } else {
      this.server = createHttpServer(handler);
    }
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  /** Stops accepting, gives in-flight calls up to graceMs, then closes every connection. */
  async close(graceMs: number): Promise<void> {
    this.unwatch?.();
    const server = this.server;
    if (!server) return;
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    clearTimeout(timer);
  }

  private invoker(route: CompiledRoute, served: HttpServedService): Invoker {
    const entry = Object.entries(served.definition).find(([, m]) => methodNames(m.path).method === route.method);
    if (!entry) throw new Error(`${route.service}/${route.method} is not in the service definition`);
    const [key, method] = entry;
    const { method: methodName, qualified } = methodNames(method.path);
    const requestType = served.messages[`${methodName}Request`] as MessageCodec;
    const responseType = served.messages[`${methodName}Response`] as MessageCodec;
    const handler = (
      served.handlers as Record<string, ((r: unknown, ctx: CallContext) => Promise<unknown>) | undefined>
    )[key];
    const last: Next = handler
      ? async (call) => {
          try {
            return (await handler(call.request, (call as ServedCall).ctx)) ?? {};
          } catch (err) {
            throw toRpcError(err, qualified, this.options.logger);
          }
        }
      : () => Promise.reject(unimplemented(qualified));
    return {
      route,
      pipeline: composeInterceptors(this.options.interceptors, last),
      decode: (bytes) => requestType.decode(bytes),
      encode: (response) => responseType.encode(responseType.fromPartial(response)).finish(),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const output: JsonOptions & { pretty: boolean } = {
      shorthand:
        !url.searchParams.has('noPayloadShorthand') && !acceptsFlag(req.headers.accept, 'no-payload-shorthand'),
      pretty: url.searchParams.has('pretty') || acceptsFlag(req.headers.accept, 'pretty'),
    };
    const codec = await this.codec();
    try {
      const match = this.routes.match(req.method ?? 'GET', url.pathname);
      if (match.kind === 'not-found') throw new RpcError(Code.NOT_FOUND, 'Not Found');
      if (match.kind === 'method-not-allowed') throw new RpcError(Code.UNIMPLEMENTED, 'Method Not Allowed');
      const invoker = this.invokerFor(match.route);
      if (!invoker) throw new RpcError(Code.NOT_FOUND, 'Not Found');
      const body = await readBody(req);
      const input: JsonOptions = { shorthand: !acceptsFlag(req.headers['content-type'], 'no-payload-shorthand') };
      const json = this.requestJson(codec, match.route, body, url.searchParams, match.params);
      const request = invoker.decode(codec.encodeRequest(match.route.requestType, json, input));
      const response = await this.invoke(invoker, request, req, res);
      const rendered = codec.decodeResponse(match.route.responseType, invoker.encode(response), output);
      send(res, 200, rendered, output.pretty);
    } catch (err) {
      const error = toRpcError(err, `HTTP ${req.method} ${url.pathname}`, this.options.logger);
      const status = codec.decodeResponse('google.rpc.Status', error.statusProto(), output);
      send(res, httpStatusOf(error.code), status, output.pretty);
    }
  }

  /** The request message's JSON: the body (per the rule's `body`), then query parameters, then path variables. */
  private requestJson(
    codec: HttpJsonCodec,
    route: CompiledRoute,
    body: string,
    query: URLSearchParams,
    params: Map<readonly string[], string>,
  ): JsonObject {
    let json: JsonObject = {};
    if (route.body !== '') {
      let parsed: JsonValue;
      try {
        parsed = body.trim() === '' ? {} : (JSON.parse(body) as JsonValue);
      } catch (err) {
        throw invalidArgument((err as Error).message);
      }
      if (route.body === '*') {
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw invalidArgument('the request body must be a JSON object');
        json = parsed;
      } else {
        json = { [route.body]: parsed };
      }
    }
    // grpc-gateway reads query parameters only when the body does not already carry the whole message.
    if (route.body !== '*') {
      for (const key of new Set(query.keys())) {
        // Unknown parameters (pretty, noPayloadShorthand, anything else) are ignored, as grpc-gateway does.
        codec.setFromString(route.requestType, json, key.split('.'), query.getAll(key));
      }
    }
    for (const [field, value] of params) {
      if (!codec.setFromString(route.requestType, json, field, [value]))
        throw new Error(`${route.method}: path variable ${field.join('.')} names no field`);
    }
    return json;
  }

  private invoke(invoker: Invoker, request: unknown, req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    const { route } = invoker;
    const qualified = `${route.service}/${route.method}`;
    const controller = new AbortController();
    // The caller going away cancels the call, as a cancelled gRPC call does.
    res.on('close', () => {
      if (!res.writableEnded) controller.abort();
    });
    const metadata = forwardedMetadata(req, this.options.serverVersion);
    const deadline = grpcTimeoutDeadline(header(req, 'grpc-timeout'));
    const socket = req.socket as Partial<TLSSocket>;
    const ctx: CallContext = {
      method: qualified,
      metadata,
      deadline,
      signal: controller.signal,
      clientName: String(metadata.get('client-name')[0] ?? ''),
      clientVersion: String(metadata.get('client-version')[0] ?? ''),
      peerCertificate: () => {
        const cert = socket.getPeerCertificate?.();
        return cert && Object.keys(cert).length && socket.authorized ? cert : undefined;
      },
    };
    const call = new ServedCall(
      ctx,
      'server',
      'http',
      this.options.service,
      route.method,
      qualified,
      request,
      deadline,
      controller,
      metadata,
    );
    return invoker.pipeline(call);
  }
}

function serviceNameOf(definition: ServiceDefinition): string {
  const first = Object.values(definition)[0];
  return first ? methodNames(first.path).service : '';
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** grpc-gateway's incoming header matching plus upstream's extra forwarded headers and client defaults. */
function forwardedMetadata(req: IncomingMessage, serverVersion: string): Metadata {
  const metadata = new Metadata();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const key = name.startsWith('grpc-metadata-')
      ? name.slice('grpc-metadata-'.length)
      : name === 'authorization' || FORWARDED_HEADERS.includes(name)
        ? name
        : undefined;
    if (!key || key.endsWith('-bin')) continue;
    for (const v of Array.isArray(value) ? value : [value]) metadata.add(key, v);
  }
  if (!metadata.get('client-name').length) metadata.set('client-name', HTTP_CLIENT_NAME);
  if (!metadata.get('client-version').length) metadata.set('client-version', serverVersion);
  return metadata;
}

/** `Grpc-Timeout` (grpc-gateway honours it): digits and a unit H, M, S, m (ms), u (µs), n (ns). */
function grpcTimeoutDeadline(value: string | undefined): number {
  if (!value) return Infinity;
  const match = /^(\d{1,8})([HMSmun])$/.exec(value.trim());
  if (!match) throw invalidArgument(`invalid Grpc-Timeout header ${JSON.stringify(value)}`);
  const units: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };
  return Date.now() + Number(match[1]) * units[match[2]!]!;
}

function acceptsFlag(value: string | undefined, flag: string): boolean {
  return Boolean(value?.split(',').some((part) => part.trim().split(';')[0]!.split('+').slice(1).includes(flag)));
}

/**
 * The body, at most MAX_HTTP_REQUEST_BYTES. Past the limit the call fails at once; the rest of the body is read and
 * dropped (not kept), so the client, still sending, gets the error response instead of a reset connection.
 */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_HTTP_REQUEST_BYTES) chunks.push(chunk);
      else if (!refused) {
        refused = true;
        chunks.length = 0;
        reject(invalidArgument(`http: request body too large (limit ${MAX_HTTP_REQUEST_BYTES} bytes)`));
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: JsonValue, pretty: boolean): void {
  if (res.writableEnded || res.destroyed) return;
  const text = pretty ? JSON.stringify(body, null, 2) : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** grpc-gateway's HTTPStatusFromCode. */
export function httpStatusOf(code: Code): number {
  switch (code) {
    case Code.OK:
      return 200;
    case Code.CANCELLED:
      return 499;
    case Code.INVALID_ARGUMENT:
    case Code.FAILED_PRECONDITION:
    case Code.OUT_OF_RANGE:
      return 400;
    case Code.DEADLINE_EXCEEDED:
      return 504;
    case Code.NOT_FOUND:
      return 404;
    case Code.ALREADY_EXISTS:
    case Code.ABORTED:
      return 409;
    case Code.PERMISSION_DENIED:
      return 403;
    case Code.UNAUTHENTICATED:
      return 401;
    case Code.RESOURCE_EXHAUSTED:
      return 429;
    case Code.UNIMPLEMENTED:
      return 501;
    case Code.UNAVAILABLE:
      return 503;
    default:
      return 500;
  }
}

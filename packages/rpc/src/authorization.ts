// Authorization of frontend calls (upstream's common/authorization): a ClaimMapper turns the caller's credentials
// (an `Authorization: Bearer <JWT>` header, which is what the SDKs' and the CLI's apiKey option sends, or a verified
// client certificate) into Claims; an Authorizer decides from the claims and the call's target. The default JWT
// claim mapper verifies the token against JWKS key sets (files or URLs, refreshed) and reads upstream's permission
// strings `<namespace>:<read|write|worker|admin>` (and `system:<role>`) from a configurable claim.
//
// Tokens never appear in a message or a log line: errors name what is missing, never what was sent.
import { createHash, randomBytes, timingSafeEqual, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { PeerCertificate } from 'node:tls';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { parseGoDurationNanos, type AuthorizationConfig, type Logger } from '@tempora/common';
import { classifyApi, type ApiCategory, type ApiClass } from './api-categories.js';
import { permissionDenied, RpcError } from './errors.js';
import type { Interceptor, RpcCall } from './interceptor.js';
import type { ServedCall } from './server.js';

/** Roles as upstream's bit set (RoleWorker, RoleReader, RoleWriter, RoleAdmin). */
export const Role = { worker: 1, read: 2, write: 4, admin: 8 } as const;
export type RoleName = keyof typeof Role;

/** What the caller may do: a role bit set per namespace and for the whole cluster (`system`). */
export interface Claims {
  subject: string;
  system: number;
  namespaces: Map<string, number>;
}

export interface CallTarget {
  namespace: string;
  /** "WorkflowService/StartWorkflowExecution". */
  api: string;
  apiClass: ApiClass;
}

export type AuthorizationResult = { decision: 'allow' } | { decision: 'deny'; reason: string };

/** Decides one call. The default is `defaultAuthorizer`; another implementation plugs into `authorizationInterceptor`. */
export interface Authorizer {
  authorize(claims: Claims | undefined, target: CallTarget): AuthorizationResult;
}

/** Roles that satisfy each category (a writer can also run workers and read; a worker can read). */
const SATISFIES: Record<ApiCategory, number> = {
  read: Role.read | Role.worker | Role.write | Role.admin,
  worker: Role.worker | Role.write | Role.admin,
  write: Role.write | Role.admin,
  admin: Role.admin,
};

/** The permissions that would allow a category, for the denial message. */
function wanted(category: ApiCategory, namespace: string): string {
  const names = { read: 'read', worker: 'worker', write: 'write', admin: 'admin' } as const;
  const options = category === 'admin' ? ['admin'] : category === 'write' ? ['write', 'admin'] : [names[category]];
  const scoped = namespace ? options.map((o) => `${namespace}:${o}`) : [];
  return [...scoped, category === 'admin' ? 'system:admin' : `system:${names[category]}`].join(' or ');
}

/**
 * upstream's default authorizer with the worker category: public APIs are always allowed; a namespace API needs a
 * satisfying role in its namespace or at system level; a cluster API (or one naming no namespace) a system role.
 */
export const defaultAuthorizer: Authorizer = {
  authorize(claims, target) {
    const { apiClass, namespace } = target;
    if (apiClass.public) return { decision: 'allow' };
    const need = SATISFIES[apiClass.category];
    if (claims && claims.system & need) return { decision: 'allow' };
    const scoped = apiClass.scope === 'namespace' && namespace;
    if (claims && scoped && (claims.namespaces.get(namespace.toLowerCase()) ?? 0) & need) return { decision: 'allow' };
    const where = scoped ? ` in namespace "${namespace}"` : '';
    const method = target.api.split('/').pop();
    return {
      decision: 'deny',
      reason: `${method}${where} needs permission ${wanted(apiClass.category, scoped ? namespace : '')}`,
    };
  },
};

/** A rejected credential: `reason` is safe to show (it never contains the token). */
export class CredentialError extends Error {}

function permissionToRole(permission: string): number {
  return Role[permission.toLowerCase() as RoleName] ?? 0;
}

/** A claim by dotted path (`realm_access.roles`); a claim whose own name contains the dots wins. */
function claimAt(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  let node: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Claims from permission strings (`default:write`, `system:admin`, or what permissionsRegex matches). */
export function claimsFromPermissions(
  subject: string,
  permissions: readonly unknown[],
  regex: RegExp | undefined,
  logger?: Logger,
): Claims {
  const claims: Claims = { subject, system: 0, namespaces: new Map() };
  for (const permission of permissions) {
    if (typeof permission !== 'string') continue;
    let namespace: string | undefined;
    let role: string | undefined;
    if (regex) {
      const groups = regex.exec(permission)?.groups;
      namespace = groups?.namespace;
      role = groups?.role;
    } else {
      const colon = permission.indexOf(':');
      if (colon > 0) [namespace, role] = [permission.slice(0, colon), permission.slice(colon + 1)];
    }
    if (namespace === undefined || role === undefined) {
      logger?.debug({ subject }, 'ignoring a permission in an unexpected format');
      continue;
    }
    const bits = permissionToRole(role);
    if (namespace === 'system') claims.system |= bits;
    else {
      const key = namespace.toLowerCase();
      claims.namespaces.set(key, (claims.namespaces.get(key) ?? 0) | bits);
    }
  }
  return claims;
}

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

/**
 * Keys from JWKS sources (upstream's default token key provider): file:// sets are re-read every refreshInterval
 * and when a token names a key id they do not hold (at most once a second); http(s):// sets are jose's remote key
 * sets (cached for refreshInterval, re-fetched on an unknown key id).
 */
export class JwksKeyProvider {
  private files: { path: string; keys: JWTVerifyGetKey | undefined; kids: Set<string>; loadedAt: number }[];
  private readonly remotes: JWTVerifyGetKey[];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    uris: readonly string[],
    private readonly refreshMs: number,
    private readonly logger?: Logger,
  ) {
    this.files = uris
      .filter((u) => u.startsWith('file:'))
      .map((u) => ({ path: fileURLToPath(u), keys: undefined, kids: new Set<string>(), loadedAt: 0 }));
    this.remotes = uris
      .filter((u) => !u.startsWith('file:'))
      .map((u) => createRemoteJWKSet(new URL(u), { cacheMaxAge: refreshMs, cooldownDuration: 1000 }));
  }

  /** Loads the file key sets (a file that does not load stops the start) and starts the refresh timer. */
  async start(): Promise<void> {
    for (const file of this.files) await this.load(file, true);
    if (this.files.length) {
      this.timer = setInterval(() => void this.reloadAll(), this.refreshMs);
      this.timer.unref();
    }
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async reloadAll(): Promise<void> {
    for (const file of this.files) await this.load(file, false);
  }

  private async load(file: (typeof this.files)[number], strict: boolean): Promise<void> {
    file.loadedAt = Date.now();
    try {
      const jwks = JSON.parse(await readFile(file.path, 'utf8')) as JSONWebKeySet;
      if (!Array.isArray(jwks.keys)) throw new Error('no "keys" array');
      file.keys = createLocalJWKSet(jwks);
      file.kids = new Set(jwks.keys.map((k) => k.kid).filter((k): k is string => typeof k === 'string'));
    } catch (err) {
      const message = `cannot load JWKS ${file.path}: ${(err as Error).message}`;
      if (strict) throw new Error(message);
      this.logger?.warn(message + '; keeping the keys loaded before');
    }
  }

  /** jose's key lookup over every source, in order. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    let lastError: unknown = new CredentialError('no key set is configured');
    for (const file of this.files) {
      if (header.kid && !file.kids.has(header.kid) && Date.now() - file.loadedAt > 1000) await this.load(file, false);
      if (!file.keys) continue;
      try {
        return await file.keys(header, token);
      } catch (err) {
        lastError = err;
      }
    }
    for (const remote of this.remotes) {
      try {
        return await remote(header, token);
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  };
}

/** Why a token was refused, in words that never quote it. */
function tokenProblem(err: unknown): string {
  if (err instanceof CredentialError) return err.message;
  if (err instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `the token's "${err.claim}" claim is not valid`;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'the token signature does not verify';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'no configured key matches the token';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'the token algorithm is not accepted';
  return 'the token is not a valid JWT';
}

/** upstream's ClaimMapper: credentials of one call to claims (undefined = no credentials). */
export interface ClaimMapper {
  getClaims(authorization: string | undefined): Promise<Claims | undefined>;
}

/** The default JWT claim mapper over `Authorization: Bearer <token>`. */
export class JwtClaimMapper implements ClaimMapper {
  private readonly regex: RegExp | undefined;

  constructor(
    private readonly config: AuthorizationConfig,
    private readonly keys: JwksKeyProvider,
    private readonly logger?: Logger,
  ) {
    this.regex = config.permissionsRegex ? new RegExp(config.permissionsRegex) : undefined;
  }

  async getClaims(authorization: string | undefined): Promise<Claims | undefined> {
    if (!authorization) return undefined;
    const space = authorization.indexOf(' ');
    if (space < 0) throw new CredentialError('unexpected authorization token format');
    if (authorization.slice(0, space).toLowerCase() !== 'bearer') {
      throw new CredentialError('unexpected name in authorization token');
    }
    const token = authorization.slice(space + 1).trim();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys.getKey, {
        algorithms: ALGORITHMS,
        ...(this.config.audience ? { audience: this.config.audience } : {}),
      }));
    } catch (err) {
      throw new CredentialError(tokenProblem(err));
    }
    const subject = claimAt(payload, this.config.subjectClaimName);
    if (typeof subject !== 'string') {
      throw new CredentialError(`unexpected value type of "${this.config.subjectClaimName}" claim`);
    }
    let permissions = claimAt(payload, this.config.permissionsClaimName);
    if (typeof permissions === 'string') permissions = permissions.split(/[\s,]+/).filter(Boolean);
    return claimsFromPermissions(subject, Array.isArray(permissions) ? permissions : [], this.regex, this.logger);
  }
}

/** The subject of the system identity's claims. */
export const SYSTEM_SUBJECT = 'tempora-system';
const SYSTEM_TOKEN_PREFIX = 'tempora-system.';

let processSecret: Buffer | undefined;

/**
 * The process's system token: a random secret made once per process. The frontend of the same process accepts
 * `Authorization: Bearer <it>` as system:admin (start-dev, or `start` hosting worker and frontend together); in a
 * cluster the worker service authenticates with its client certificate instead (tls.systemWorker, see
 * `systemWorkerConnectionOptions`).
 */
export function processSystemToken(): string {
  processSecret ??= randomBytes(32);
  return SYSTEM_TOKEN_PREFIX + processSecret.toString('base64url');
}

function isProcessSystemToken(authorization: string | undefined): boolean {
  if (!processSecret || !authorization) return false;
  const expected = Buffer.from(`Bearer ${processSystemToken()}`);
  const given = Buffer.from(authorization);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const systemClaims = (): Claims => ({ subject: SYSTEM_SUBJECT, system: Role.admin, namespaces: new Map() });

/** SHA-256 fingerprints of the client certificates trusted as the system identity (tls.systemWorker.certFile). */
export class SystemCertificates {
  private fingerprints = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly certFile: string,
    private readonly refreshMs: number,
    private readonly logger?: Logger,
  ) {}

  async start(): Promise<void> {
    if (!this.certFile) return;
    await this.load();
    this.timer = setInterval(() => void this.load(), this.refreshMs);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async load(): Promise<void> {
    try {
      const pem = await readFile(this.certFile, 'utf8');
      // The leaf is the first certificate of the chain.
      this.fingerprints = new Set([new X509Certificate(pem).fingerprint256]);
    } catch (err) {
      this.logger?.warn({ file: this.certFile, err: (err as Error).message }, 'cannot read tls.systemWorker.certFile');
    }
  }

  /** Whether a verified peer certificate is the system worker's. */
  matches(peer: PeerCertificate | undefined): boolean {
    if (!peer?.raw || !this.fingerprints.size) return false;
    const fingerprint = createHash('sha256')
      .update(peer.raw)
      .digest('hex')
      .toUpperCase()
      .replace(/(..)(?!$)/g, '$1:');
    return this.fingerprints.has(fingerprint);
  }
}

export interface AuthorizationOptions {
  claimMapper: ClaimMapper;
  authorizer?: Authorizer;
  systemCertificates?: SystemCertificates;
  logger?: Logger;
}

/** Attribute under which the interceptor leaves the caller's claims for later interceptors. */
export const CLAIMS_ATTRIBUTE = 'tempora.claims';

/** upstream's errUnauthorized, with the reason appended (what was missing; never the credential). */
export const REQUEST_UNAUTHORIZED = 'Request unauthorized.';
const unauthorized = (reason: string) => permissionDenied(`${REQUEST_UNAUTHORIZED.slice(0, -1)}: ${reason}.`);

/**
 * The served-call interceptor of the frontend: credentials -> claims -> authorizer. Deny by default: a call
 * without credentials has no claims and only public APIs (GetSystemInfo) pass.
 */
export function authorizationInterceptor(options: AuthorizationOptions): Interceptor {
  const authorizer = options.authorizer ?? defaultAuthorizer;
  const classes = new Map<string, ApiClass>();
  return (next) => async (call: RpcCall) => {
    let apiClass = classes.get(call.qualified);
    if (!apiClass) {
      const [service = '', method = ''] = call.qualified.split('/');
      apiClass = classifyApi(service, method);
      classes.set(call.qualified, apiClass);
    }
    const target: CallTarget = { namespace: call.namespace, api: call.qualified, apiClass };
    if (apiClass.public) return next(call);
    const header = call.hasMetadata ? call.metadata.get('authorization')[0] : undefined;
    const authorization = typeof header === 'string' ? header : undefined;
    let claims: Claims | undefined;
    if (isProcessSystemToken(authorization)) claims = systemClaims();
    else if (options.systemCertificates?.matches((call as ServedCall).ctx?.peerCertificate?.())) {
      claims = systemClaims();
    } else {
      try {
        claims = await options.claimMapper.getClaims(authorization);
      } catch (err) {
        if (!(err instanceof CredentialError)) throw err;
        options.logger?.debug({ method: call.method, reason: err.message }, 'credentials refused');
        throw unauthorized(err.message);
      }
    }
    const result = authorizer.authorize(claims, target);
    if (result.decision === 'deny') {
      throw unauthorized(
        claims ? result.reason : `no credentials (send "Authorization: Bearer <JWT>"); ${result.reason}`,
      );
    }
    if (claims) call.attributes.set(CLAIMS_ATTRIBUTE, claims);
    return next(call);
  };
}

/** Whether an error is the authorizer's denial. */
export function isUnauthorized(err: unknown): boolean {
  return err instanceof RpcError && err.message.startsWith(REQUEST_UNAUTHORIZED.slice(0, -1));
}

/** The key provider, claim mapper and interceptor from config; `close` stops their refresh timers. */
export async function configureAuthorization(
  config: AuthorizationConfig,
  systemWorkerCertFile: string,
  logger?: Logger,
): Promise<{ interceptor: Interceptor; close(): void } | undefined> {
  if (!config.enabled) return undefined;
  const refreshMs = Math.max(
    1,
    Math.round((parseGoDurationNanos(config.jwtKeyProvider.refreshInterval) ?? 60e9) / 1e6),
  );
  const keys = new JwksKeyProvider(config.jwtKeyProvider.keySourceUris, refreshMs, logger);
  await keys.start();
  const systemCertificates = new SystemCertificates(systemWorkerCertFile, refreshMs, logger);
  await systemCertificates.start();
  return {
    interceptor: authorizationInterceptor({
      claimMapper: new JwtClaimMapper(config, keys, logger),
      systemCertificates,
      logger,
    }),
    close: () => {
      keys.close();
      systemCertificates.close();
    },
  };
}

// The HTTP API's routes: compiled from the `google.api.http` rules generated out of the upstream protos
// (@tempora/proto/http), never written by hand. A template is literal segments and `{field.path}` variables, as every
// Temporal API annotation is (no `**`, `=` patterns or custom verbs; a rule using one fails the build of the table).
// No two templates of one HTTP method fit the same path (the unit test checks it), so the first match is the only one.
import type { HttpRule } from '@tempora/proto/http';

export interface CompiledRoute extends HttpRule {
  /** The template's segments: a literal, or the request field path (proto names) a variable fills. */
  segments: readonly ({ literal: string } | { field: readonly string[] })[];
}

export type RouteMatch =
  | { kind: 'found'; route: CompiledRoute; params: Map<readonly string[], string> }
  /** The path is served, but not with this HTTP method (grpc-gateway answers 501 "Method Not Allowed"). */
  | { kind: 'method-not-allowed' }
  | { kind: 'not-found' };

export class HttpRouteTable {
  private readonly bySegmentCount = new Map<number, CompiledRoute[]>();

  constructor(rules: readonly HttpRule[]) {
    for (const rule of rules) {
      const route = compileRoute(rule);
      const list = this.bySegmentCount.get(route.segments.length) ?? [];
      list.push(route);
      this.bySegmentCount.set(route.segments.length, list);
    }
  }

  get routes(): CompiledRoute[] {
    return [...this.bySegmentCount.values()].flat();
  }

  /** `path` is the URL's path, still percent-encoded (a workflow id may hold an encoded '/'). */
  match(httpMethod: string, path: string): RouteMatch {
    const parts = path.split('/').slice(1);
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    let decoded: string[];
    try {
      decoded = parts.map((p) => decodeURIComponent(p));
    } catch {
      return { kind: 'not-found' };
    }
    let pathServed = false;
    for (const route of this.bySegmentCount.get(decoded.length) ?? []) {
      const params = matchSegments(route, decoded);
      if (!params) continue;
      if (route.httpMethod === httpMethod) return { kind: 'found', route, params };
      pathServed = true;
    }
    return pathServed ? { kind: 'method-not-allowed' } : { kind: 'not-found' };
  }
}

export function compileRoute(rule: HttpRule): CompiledRoute {
  if (!rule.path.startsWith('/')) throw new Error(`${rule.method}: HTTP path ${rule.path} must start with /`);
  const segments = rule.path
    .slice(1)
    .split('/')
    .map((segment) => {
      const variable = /^\{([A-Za-z_][A-Za-z0-9_.]*)\}$/.exec(segment);
      if (variable) return { field: variable[1]!.split('.') };
      if (/[{}*:=]/.test(segment)) throw new Error(`${rule.method}: unsupported HTTP path segment ${segment}`);
      return { literal: segment };
    });
  return { ...rule, segments };
}

function matchSegments(route: CompiledRoute, parts: readonly string[]): Map<readonly string[], string> | undefined {
  const params = new Map<readonly string[], string>();
  for (let i = 0; i < parts.length; i++) {
    const segment = route.segments[i]!;
    const part = parts[i]!;
    if ('literal' in segment) {
      if (segment.literal !== part) return undefined;
    } else {
      // grpc-gateway refuses an empty variable segment; so does this.
      if (part === '') return undefined;
      params.set(segment.field, part);
    }
  }
  return params;
}

import { normalizeRequestPath, type PathRefusal } from './request-path.js';

/** One configured route as the authorizer needs it (config `routes[]`). */
export interface RouteDefinition {
  readonly host: string;
  readonly methods?: readonly string[] | undefined;
  readonly path: string;
  readonly action: string;
  readonly resource: string;
  readonly onUnauthenticated?: 'deny' | 'redirect' | undefined;
  /** Lower-case the path before matching and before `${param}` substitution. */
  readonly caseInsensitive?: boolean | undefined;
  /** Which `x-amz-content-sha256` a SigV4-signed request may declare (default `any`); see SigV4PayloadMode. */
  readonly sigv4Payload?: SigV4PayloadMode | undefined;
}

/**
 * How a route accepts the payload declaration of a SigV4-signed request (forward auth never sees the body):
 * - `any`: a body hash or `UNSIGNED-PAYLOAD`; the upstream must check a declared hash against the body;
 * - `signed`: `UNSIGNED-PAYLOAD` is refused; the upstream must check the body against `x-amz-content-sha256`
 *   (without that header the signature is verified over the empty body's hash: the body must be empty);
 * - `unsigned`: `UNSIGNED-PAYLOAD` is required; the body is not authenticated and the upstream checks nothing.
 */
export type SigV4PayloadMode = 'any' | 'signed' | 'unsigned';

/** Routing a request: the match, no route, or a path refused before any route was tried. */
export type RouteResult =
  | { readonly ok: true; readonly match: RouteMatch }
  | { readonly ok: false; readonly reason: 'NoMatchingRoute' | 'InvalidHost' }
  | { readonly ok: false; readonly reason: 'UnsafeRequestPath'; readonly pathRefusal: PathRefusal };

/** The route a request matched, with its path parameters and the resolved resource ARN. */
export interface RouteMatch {
  readonly route: RouteDefinition;
  readonly index: number;
  /** URL-decoded path parameters (`:name` segments; `*` is `wildcard`, `*name` is `name`). */
  readonly params: Readonly<Record<string, string>>;
  /** The resource ARN with `${param}` substituted. */
  readonly resource: string;
  /** The decoded path, empty and `.` segments removed: what `fedgate:RequestPath` says. */
  readonly path: string;
  /** The host name the route matched, lower-cased, without port. */
  readonly hostname: string;
}

type Segment =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'rest'; readonly name: string };

type TemplatePart = string | { readonly param: string };

interface CompiledRoute {
  readonly definition: RouteDefinition;
  readonly index: number;
  readonly methods: ReadonlySet<string> | undefined;
  /** Exact host (with port when the route names one), `*` for any. */
  readonly hostExact: string | undefined;
  /** `.example.com` for `*.example.com`. */
  readonly hostSuffix: string | undefined;
  readonly hostHasPort: boolean;
  readonly caseInsensitive: boolean;
  readonly segments: readonly Segment[];
  readonly resourceParts: readonly TemplatePart[];
}

const HOST_SYNTAX = /^(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

/** Compiled routes: first match wins, in configuration order. */
export class RouteTable {
  readonly #routes: readonly CompiledRoute[];

  /** Compiles routes; throws TypeError for a route the configuration schema should have refused. */
  constructor(definitions: readonly RouteDefinition[]) {
    this.#routes = definitions.map((definition, index) => compileRoute(definition, index));
  }

  /**
   * The first route matching host, method and path (path without query string or fragment, still
   * percent-encoded). A path spelt in a way upstreams read differently (see normalizeRequestPath) is refused
   * before any route is tried: we refuse to guess which resource it names.
   */
  route(host: string, method: string, rawPath: string): RouteResult {
    const hostWithPort = host.trim().toLowerCase();
    if (!HOST_SYNTAX.test(hostWithPort)) return { ok: false, reason: 'InvalidHost' };
    const hostname = stripPort(hostWithPort).replace(/\.$/, '');
    const upperMethod = method.toUpperCase();
    const normalized = normalizeRequestPath(rawPath);
    if (!normalized.ok) return { ok: false, reason: 'UnsafeRequestPath', pathRefusal: normalized.reason };
    const pathSegments = normalized.segments;
    let lowerSegments: readonly string[] | undefined;
    for (const route of this.#routes) {
      if (!methodMatches(route.methods, upperMethod)) continue;
      if (!hostMatches(route, hostname, hostWithPort)) continue;
      const segments = route.caseInsensitive
        ? (lowerSegments ??= pathSegments.map((segment) => segment.toLowerCase()))
        : pathSegments;
      const params = matchSegments(route.segments, segments);
      if (params === undefined) continue;
      return {
        ok: true,
        match: {
          route: route.definition,
          index: route.index,
          params,
          resource: renderResource(route.resourceParts, params),
          path: `/${segments.join('/')}`,
          hostname,
        },
      };
    }
    return { ok: false, reason: 'NoMatchingRoute' };
  }

  /** The matching route, or undefined (no route, or a refused host or path). */
  match(host: string, method: string, rawPath: string): RouteMatch | undefined {
    const result = this.route(host, method, rawPath);
    return result.ok ? result.match : undefined;
  }
}

function methodMatches(methods: ReadonlySet<string> | undefined, method: string): boolean {
  if (methods === undefined || methods.has(method)) return true;
  // A HEAD is a GET without a body: a route that allows reading allows asking for the headers.
  return method === 'HEAD' && methods.has('GET');
}

function hostMatches(route: CompiledRoute, hostname: string, hostWithPort: string): boolean {
  if (route.hostSuffix !== undefined)
    return hostname.endsWith(route.hostSuffix) && hostname.length > route.hostSuffix.length;
  if (route.hostExact === '*') return true;
  return route.hostExact === (route.hostHasPort ? hostWithPort : hostname);
}

function compileRoute(definition: RouteDefinition, index: number): CompiledRoute {
  const host = definition.host.toLowerCase();
  const segments: Segment[] = [];
  const raw = definition.path.split('/').filter((part) => part.length > 0);
  raw.forEach((part, i) => {
    if (part.startsWith('*')) {
      if (i !== raw.length - 1) throw new TypeError(`routes[${index}]: '*' must be the last path segment`);
      segments.push({ kind: 'rest', name: part.length > 1 ? part.slice(1) : 'wildcard' });
    } else if (part.startsWith(':') && part.length > 1) {
      segments.push({ kind: 'param', name: part.slice(1) });
    } else {
      segments.push({
        kind: 'literal',
        value: definition.caseInsensitive === true ? part.toLowerCase() : part,
      });
    }
  });
  const resourceParts = splitTemplate(definition.resource);
  const known = new Set(segments.flatMap((segment) => (segment.kind === 'literal' ? [] : [segment.name])));
  for (const part of resourceParts) {
    if (typeof part !== 'string' && !known.has(part.param))
      throw new TypeError(`routes[${index}].resource: \${${part.param}} is not a parameter of the path`);
  }
  const wildcardHost = host.startsWith('*.');
  return {
    definition,
    index,
    methods:
      definition.methods === undefined || definition.methods.length === 0 || definition.methods.includes('*')
        ? undefined
        : new Set(definition.methods.map((m) => m.toUpperCase())),
    hostExact: wildcardHost ? undefined : host,
    hostSuffix: wildcardHost ? host.slice(1) : undefined,
    hostHasPort: !wildcardHost && host !== '*' && stripPort(host) !== host,
    caseInsensitive: definition.caseInsensitive === true,
    segments,
    resourceParts,
  };
}

function splitTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  const pattern = /\$\{([A-Za-z0-9_-]+)\}/g;
  let last = 0;
  for (let m = pattern.exec(template); m !== null; m = pattern.exec(template)) {
    if (m.index > last) parts.push(template.slice(last, m.index));
    parts.push({ param: m[1] ?? '' });
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  return parts;
}

function renderResource(parts: readonly TemplatePart[], params: Readonly<Record<string, string>>): string {
  let out = '';
  for (const part of parts) out += typeof part === 'string' ? part : (params[part.param] ?? '');
  return out;
}

function matchSegments(
  segments: readonly Segment[],
  path: readonly string[],
): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as Segment;
    if (segment.kind === 'rest') {
      params[segment.name] = path.slice(i).join('/');
      return params;
    }
    const value = path[i];
    if (value === undefined) return undefined;
    if (segment.kind === 'literal') {
      if (segment.value !== value) return undefined;
    } else {
      params[segment.name] = value;
    }
  }
  return path.length === segments.length ? params : undefined;
}

function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(0, end + 1);
  }
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/** One configured route as the authorizer needs it (config `routes[]`). */
export interface RouteDefinition {
  readonly host: string;
  readonly methods?: readonly string[] | undefined;
  readonly path: string;
  readonly action: string;
  readonly resource: string;
  readonly onUnauthenticated?: 'deny' | 'redirect' | undefined;
}

/** The route a request matched, with its path parameters and the resolved resource ARN. */
export interface RouteMatch {
  readonly route: RouteDefinition;
  readonly index: number;
  readonly params: Readonly<Record<string, string>>;
  readonly resource: string;
}

type Segment =
  { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'rest'; name: string };

interface CompiledRoute {
  readonly definition: RouteDefinition;
  readonly index: number;
  readonly methods: ReadonlySet<string> | undefined;
  readonly hostExact: string | undefined;
  readonly hostSuffix: string | undefined;
  readonly segments: readonly Segment[];
  readonly resourceParts: readonly (string | { param: string })[];
}

/** Compiled routes: first match wins, in configuration order. */
export class RouteTable {
  readonly #routes: readonly CompiledRoute[];

  constructor(definitions: readonly RouteDefinition[]) {
    this.#routes = definitions.map((definition, index) => compileRoute(definition, index));
  }

  /** The first route matching host, method and path (path without query string, already percent-decoded per segment). */
  match(host: string, method: string, path: string): RouteMatch | undefined {
    const hostname = stripPort(host).toLowerCase();
    const upperMethod = method.toUpperCase();
    const pathSegments = splitPath(path);
    if (pathSegments === undefined) return undefined;
    for (const route of this.#routes) {
      if (route.methods !== undefined && !route.methods.has(upperMethod)) continue;
      if (route.hostExact !== undefined && route.hostExact !== hostname && route.hostExact !== '*') continue;
      if (
        route.hostSuffix !== undefined &&
        !(hostname.endsWith(route.hostSuffix) && hostname.length > route.hostSuffix.length)
      )
        continue;
      const params = matchSegments(route.segments, pathSegments);
      if (params === undefined) continue;
      return {
        route: route.definition,
        index: route.index,
        params,
        resource: renderResource(route.resourceParts, params),
      };
    }
    return undefined;
  }
}

function compileRoute(definition: RouteDefinition, index: number): CompiledRoute {
  const host = definition.host.toLowerCase();
  const segments: Segment[] = [];
  const raw = definition.path.split('/').filter((part) => part.length > 0);
  raw.forEach((part, i) => {
    if (part === '*' || part.startsWith('*')) {
      if (i !== raw.length - 1) throw new TypeError(`route ${index}: '*' must be the last path segment`);
      segments.push({ kind: 'rest', name: part.length > 1 ? part.slice(1) : 'wildcard' });
    } else if (part.startsWith(':')) {
      segments.push({ kind: 'param', name: part.slice(1) });
    } else {
      segments.push({ kind: 'literal', value: part });
    }
  });
  return {
    definition,
    index,
    methods:
      definition.methods === undefined || definition.methods.length === 0 || definition.methods.includes('*')
        ? undefined
        : new Set(definition.methods.map((m) => m.toUpperCase())),
    hostExact: host.startsWith('*.') ? undefined : host,
    hostSuffix: host.startsWith('*.') ? host.slice(1) : undefined,
    segments,
    resourceParts: splitTemplate(definition.resource),
  };
}

function splitTemplate(template: string): (string | { param: string })[] {
  const parts: (string | { param: string })[] = [];
  const pattern = /\$\{([A-Za-z0-9_]+)\}/g;
  let last = 0;
  for (let m = pattern.exec(template); m !== null; m = pattern.exec(template)) {
    if (m.index > last) parts.push(template.slice(last, m.index));
    parts.push({ param: m[1] ?? '' });
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  return parts;
}

function renderResource(
  parts: readonly (string | { param: string })[],
  params: Record<string, string>,
): string {
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

/** Splits a path into decoded segments; undefined when a segment decodes to something unsafe (`/`, `..`, NUL). */
function splitPath(path: string): string[] | undefined {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part.length === 0) continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      return undefined;
    }
    if (decoded === '.' || decoded === '..' || decoded.includes('/') || decoded.includes('\0'))
      return undefined;
    out.push(decoded);
  }
  return out;
}

function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(0, end + 1);
  }
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

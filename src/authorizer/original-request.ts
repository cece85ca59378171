import type { IncomingMessage } from 'node:http';
import type { TrustedProxies } from './trusted-proxies.js';
import { unmapIpv4 } from './trusted-proxies.js';

/** How the proxy told us about the original request. */
export type ForwardingStyle =
  /** Traefik, Caddy: `X-Forwarded-Method|Proto|Host|Uri`. */
  | 'forwarded'
  /** nginx `auth_request`: `X-Original-Method|URI`; nginx cannot pass a 3xx on, so redirects become 401s. */
  | 'original'
  /** Envoy ext_authz HTTP (or a direct call): the original path appended to `/authz`, `Host` and the method. */
  | 'subpath';

/** The request a reverse proxy asks about. */
export interface OriginalRequest {
  readonly method: string;
  /** The Host as the client sent it (may carry a port); validated by the route table. */
  readonly host: string;
  /** Path without the query string, still percent-encoded. */
  readonly path: string;
  /** The query parameters; parsed on first use (a memoized decision never needs them). */
  readonly query: URLSearchParams;
  readonly secure: boolean;
  /** The client's address (through trusted proxies only). */
  readonly sourceIp: string | undefined;
  /** The full original URL, for the redirect back after login. */
  readonly url: string;
  readonly style: ForwardingStyle;
}

/**
 * Reconstructs the original request from a forward-auth call (SPEC 4.5). Forwarded headers count only when
 * the peer is a trusted proxy; from anyone else only the sub-path, the method and `Host` are used, so a
 * client talking to the authorizer directly cannot pretend to be asking about another request.
 */
export function originalRequestOf(
  req: IncomingMessage,
  proxies: TrustedProxies,
  mountPath = '/authz',
): OriginalRequest {
  const peer = req.socket.remoteAddress === undefined ? undefined : unmapIpv4(req.socket.remoteAddress);
  const trusted = proxies.trusts(peer);
  const header = (name: string): string | undefined => {
    if (!trusted) return undefined;
    const value = req.headers[name];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined || first.length === 0 ? undefined : first;
  };

  const rawUrl = requestUrl(req);
  const subPath = rawUrl.startsWith(mountPath) ? rawUrl.slice(mountPath.length) : rawUrl;
  const forwardedUri = header('x-forwarded-uri');
  const nginxUri = forwardedUri === undefined ? header('x-original-uri') : undefined;
  const style: ForwardingStyle =
    forwardedUri !== undefined ? 'forwarded' : nginxUri !== undefined ? 'original' : 'subpath';
  const uri = forwardedUri ?? nginxUri ?? (subPath.length === 0 || subPath.startsWith('?') ? '/' : subPath);
  const method =
    style === 'subpath'
      ? (req.method ?? 'GET')
      : (header('x-forwarded-method') ?? header('x-original-method') ?? req.method ?? 'GET');
  const host = firstListItem(header('x-forwarded-host') ?? req.headers.host ?? '');
  const proto = firstListItem(header('x-forwarded-proto') ?? '');
  const secure = proto.length > 0 ? proto.toLowerCase() === 'https' : 'encrypted' in req.socket;

  const normalizedUri = uri.startsWith('/') ? uri : `/${uri}`;
  const q = normalizedUri.indexOf('?');
  const path = q === -1 ? normalizedUri : normalizedUri.slice(0, q);
  const forwardedFor = header('x-forwarded-for') ?? header('x-real-ip');
  return new ForwardedRequest(
    method.toUpperCase(),
    host,
    path,
    q === -1 ? '' : normalizedUri.slice(q + 1),
    secure,
    proxies.clientAddress(peer, forwardedFor),
    `${secure ? 'https' : 'http'}://${host}${normalizedUri}`,
    style,
  );
}

/** An OriginalRequest whose query string is parsed only when asked for: the hot path rarely needs it. */
class ForwardedRequest implements OriginalRequest {
  #query: URLSearchParams | undefined;

  constructor(
    readonly method: string,
    readonly host: string,
    readonly path: string,
    private readonly search: string,
    readonly secure: boolean,
    readonly sourceIp: string | undefined,
    readonly url: string,
    readonly style: ForwardingStyle,
  ) {}

  get query(): URLSearchParams {
    this.#query ??= new URLSearchParams(this.search);
    return this.#query;
  }
}

function firstListItem(value: string): string {
  const comma = value.indexOf(',');
  return (comma === -1 ? value : value.slice(0, comma)).trim();
}

/** The URL as the client sent it: Express rewrites `req.url` under a mount path but keeps `originalUrl`. */
export function requestUrl(req: IncomingMessage): string {
  return (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
}

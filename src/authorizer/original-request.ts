import type { IncomingMessage } from 'node:http';
import type { TrustedProxies } from './trusted-proxies.js';
import { unmapIpv4 } from './trusted-proxies.js';

/** The request a reverse proxy asks about. */
export interface OriginalRequest {
  readonly method: string;
  readonly host: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly secure: boolean;
  /** The client's address (through trusted proxies only). */
  readonly sourceIp: string | undefined;
  /** The full original URL, for redirects back after login. */
  readonly url: string;
}

/**
 * Reconstructs the original request from a forward-auth call (SPEC 4.5):
 * Traefik/Caddy `X-Forwarded-Method|Proto|Host|Uri`, nginx `X-Original-Method|URI`, or Envoy ext_authz,
 * which appends the original path to `/authz` and keeps `Host`. Forwarded headers count only from a
 * trusted proxy; from anyone else only the sub-path, the method and `Host` are used.
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
    return Array.isArray(value) ? value[0] : value;
  };

  const rawUrl = req.url ?? '/';
  const subPath = rawUrl.startsWith(mountPath) ? rawUrl.slice(mountPath.length) : rawUrl;
  const uri = header('x-forwarded-uri') ?? header('x-original-uri') ?? (subPath.length === 0 ? '/' : subPath);
  const method = header('x-forwarded-method') ?? header('x-original-method') ?? req.method ?? 'GET';
  const host = header('x-forwarded-host') ?? req.headers.host ?? '';
  const proto = header('x-forwarded-proto');
  const secure = proto !== undefined ? proto.toLowerCase() === 'https' : 'encrypted' in req.socket;

  const normalizedUri = uri.startsWith('/') ? uri : `/${uri}`;
  const q = normalizedUri.indexOf('?');
  const path = q === -1 ? normalizedUri : normalizedUri.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : normalizedUri.slice(q + 1));
  const forwardedFor = header('x-forwarded-for') ?? header('x-real-ip');
  return {
    method: method.toUpperCase(),
    host: host.split(',')[0]?.trim() ?? '',
    path,
    query,
    secure,
    sourceIp: proxies.clientAddress(peer, forwardedFor),
    url: `${secure ? 'https' : 'http'}://${host}${normalizedUri}`,
  };
}

/**
 * THE rule for where a browser may be sent back to after a login, a role choice or a logout (`return_to`, SAML
 * `RelayState`, the OIDC login state). Every path that redirects to a caller-supplied location goes through
 * `safeReturnTo`, so they cannot disagree.
 *
 * The value is first normalised exactly as a browser will resolve it (WHATWG URL: `.` and `..` segments, also
 * percent-encoded ones, resolved), and only the RESULT is validated: `/.//evil.example` resolves to the path
 * `//evil.example`, which as a `Location` is a scheme-relative URL to another site, so it is refused.
 *
 * Accepted:
 * - a path on this gateway (`/orders/42?view=full`), returned as its normalised path, which always starts with
 *   exactly one `/` followed by something other than `/` or `\`;
 * - an absolute `http(s)` URL, without credentials, on the gateway's own host or a host of
 *   `portal.allowedReturnHosts` (`app.example.com` or `*.example.com`), returned normalised.
 *
 * Refused (undefined, so the caller falls back to the portal's own page): anything longer than 2,048 characters,
 * control characters or backslashes anywhere (raw), scheme-relative `//host` before or after normalisation, other
 * schemes (`javascript:`, `data:`), other hosts, user-info.
 */
export function safeReturnTo(
  value: unknown,
  publicUrl: string,
  allowedHosts: readonly string[],
): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_RETURN_TO_LENGTH)
    return undefined;
  // Control characters and backslashes are how open-redirect filters are usually bypassed.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point of this check
  if (/[\u0000-\u001f\u007f-\u009f\\]/.test(value)) return undefined;
  const base = new URL(publicUrl);
  if (value.startsWith('/')) {
    if (value.startsWith('//')) return undefined;
    let resolved: URL;
    try {
      resolved = new URL(value, base);
    } catch {
      return undefined;
    }
    if (resolved.origin !== base.origin) return undefined;
    const path = `${resolved.pathname}${resolved.search}${resolved.hash}`;
    return isSingleSlashPath(path) ? path : undefined;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  const host = url.host.toLowerCase();
  const hostname = url.hostname.toLowerCase();
  const allowed =
    host === base.host.toLowerCase() ||
    allowedHosts.some((pattern) => hostMatches(pattern.toLowerCase(), host, hostname));
  return allowed ? url.toString() : undefined;
}

/** The longest return_to kept. */
export const MAX_RETURN_TO_LENGTH = 2048;

/** `/x…` where x is neither `/` nor `\`: a path a browser cannot read as another host. */
function isSingleSlashPath(path: string): boolean {
  return path.startsWith('/') && path[1] !== '/' && path[1] !== '\\';
}

function hostMatches(pattern: string, host: string, hostname: string): boolean {
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1);
    return hostname.endsWith(suffix) && hostname.length > suffix.length;
  }
  return pattern === host || pattern === hostname;
}

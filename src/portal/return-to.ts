/**
 * The return_to a login may go back to: a path on this gateway, or an absolute http(s) URL on the gateway's own
 * host or an allowed host. Anything else (other hosts, `//evil`, `/\evil`, javascript:) is dropped.
 */
export function safeReturnTo(
  value: unknown,
  publicUrl: string,
  allowedHosts: readonly string[],
): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return undefined;
  // Control characters and backslashes are how open-redirect filters are usually bypassed.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point of this check
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return undefined;
  if (value.startsWith('/')) {
    if (value.startsWith('//')) return undefined;
    const resolved = new URL(value, publicUrl);
    return resolved.origin === new URL(publicUrl).origin
      ? `${resolved.pathname}${resolved.search}${resolved.hash}`
      : undefined;
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
  const own = new URL(publicUrl).host.toLowerCase();
  const allowed =
    host === own || allowedHosts.some((pattern) => hostMatches(pattern.toLowerCase(), host, hostname));
  return allowed ? url.toString() : undefined;
}

function hostMatches(pattern: string, host: string, hostname: string): boolean {
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1);
    return hostname.endsWith(suffix) && hostname.length > suffix.length;
  }
  return pattern === host || pattern === hostname;
}

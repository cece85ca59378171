import type { IncomingHttpHeaders } from 'node:http';

/** The cookie that carries a browser's role session (SPEC 4.2). */
export const SESSION_COOKIE = 'fedgate_session';

/** A session credential is a compact JWS; anything longer than this is refused before any crypto. */
const MAX_CREDENTIAL_LENGTH = 8192;

/**
 * The session credential of a request: `Authorization: Bearer <jwt>` first, else the `fedgate_session`
 * cookie. Undefined when neither is present; an empty or oversized value counts as present but unusable
 * (the caller answers invalid_token rather than "no credential").
 */
export function credentialOf(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer[ \t]+([^\s]*)\s*$/i.exec(authorization);
    if (match !== null) return clip(match[1] ?? '');
  }
  const cookie = headers.cookie;
  if (cookie !== undefined) {
    const value = cookieValue(cookie, SESSION_COOKIE);
    if (value !== undefined) return clip(value);
  }
  return undefined;
}

function clip(value: string): string {
  return value.length > MAX_CREDENTIAL_LENGTH ? '' : value;
}

function cookieValue(header: string, name: string): string | undefined {
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1) continue;
    if (pair.slice(0, eq).trim() !== name) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    return value;
  }
  return undefined;
}

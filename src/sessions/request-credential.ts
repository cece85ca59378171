import { parse as parseCookieHeader } from 'cookie';

/** The cookie that carries a browser's role session (SPEC 4.2, 4.5). */
export const SESSION_COOKIE = 'fedgate_session';

/** A session credential is a compact JWS; anything longer is refused before any crypto. */
export const MAX_CREDENTIAL_LENGTH = 8192;

/**
 * A credential presented with a request. Today one kind, a fedgate session token from the `Authorization: Bearer`
 * header or the session cookie; other kinds (a SigV4-signed request) are added as further members.
 */
export type PresentedCredential = {
  readonly kind: 'session-token';
  readonly from: 'bearer' | 'cookie';
  readonly token: string;
};

/** Reading a request's credential: none, one that cannot be a credential (RFC 6750 `invalid_token`), or one. */
export type CredentialReading =
  | { readonly status: 'absent' }
  | { readonly status: 'malformed' }
  | { readonly status: 'present'; readonly credential: PresentedCredential };

/** The request headers a credential is read from. */
export interface CredentialHeaders {
  readonly authorization?: string | undefined;
  readonly cookie?: string | undefined;
}

/** RFC 6750 §2.1 `b64token`, with optional surrounding whitespace. */
const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;
const BEARER_SCHEME = /^Bearer(?:[ \t]|$)/i;

/**
 * THE reader of session credentials: `Authorization: Bearer <token>` first, else (when `cookie` is allowed, as for
 * browsers behind the authorizer) the `fedgate_session` cookie. A Bearer header that is not a well-formed token,
 * an empty or over-long value is `malformed`: present, but refused as invalid rather than "no credential".
 * Another `Authorization` scheme is not a session credential (`absent` unless the cookie carries one).
 */
export function readCredential(
  headers: CredentialHeaders,
  options: { readonly cookie: boolean },
): CredentialReading {
  const authorization = headers.authorization;
  if (authorization !== undefined && BEARER_SCHEME.test(authorization)) {
    const token = BEARER.exec(authorization)?.[1];
    return token === undefined || token.length > MAX_CREDENTIAL_LENGTH
      ? { status: 'malformed' }
      : { status: 'present', credential: { kind: 'session-token', from: 'bearer', token } };
  }
  if (options.cookie && headers.cookie !== undefined) {
    const token = parseCookies(headers.cookie)[SESSION_COOKIE];
    if (token !== undefined)
      return token.length === 0 || token.length > MAX_CREDENTIAL_LENGTH
        ? { status: 'malformed' }
        : { status: 'present', credential: { kind: 'session-token', from: 'cookie', token } };
  }
  return { status: 'absent' };
}

/**
 * THE cookie parser (the `cookie` package Express itself uses): the first value of a name wins, values are
 * percent-decoded where they decode and kept as sent where they do not.
 */
export function parseCookies(header: string | undefined): Readonly<Record<string, string | undefined>> {
  if (header === undefined) return {};
  return Object.assign(Object.create(null) as Record<string, string | undefined>, parseCookieHeader(header));
}

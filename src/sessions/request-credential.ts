import { parse as parseCookieHeader } from 'cookie';
import {
  parseSignature,
  sigv4Refusal,
  type SignableRequest,
  type SignatureParameters,
  type SigV4Refusal,
} from '../sigv4/index.js';

/** The cookie that carries a browser's role session (SPEC 4.2, 4.5). */
export const SESSION_COOKIE = 'fedgate_session';

/** A session credential is a compact JWS; anything longer is refused before any crypto. */
export const MAX_CREDENTIAL_LENGTH = 8192;

/** A fedgate session token from the `Authorization: Bearer` header or the session cookie. */
export interface SessionTokenCredential {
  readonly kind: 'session-token';
  readonly from: 'bearer' | 'cookie';
  readonly token: string;
}

/**
 * A request signed (AWS4-HMAC-SHA256) with a fedgate credential: access key id and session token
 * (`X-Amz-Security-Token`), in the Authorization header or as a presigned URL. Parsed, not yet verified.
 */
export interface SignedRequestCredential {
  readonly kind: 'sigv4';
  readonly from: 'header' | 'query';
  readonly signature: SignatureParameters;
}

/** A credential presented with a request. */
export type PresentedCredential = SessionTokenCredential | SignedRequestCredential;

/**
 * Reading a request's credential: none, one that cannot be a credential (RFC 6750 `invalid_token`; for a
 * malformed SigV4 signature, AWS's refusal), or one.
 */
export type CredentialReading<C extends PresentedCredential = SessionTokenCredential> =
  | { readonly status: 'absent' }
  | { readonly status: 'malformed'; readonly signature?: SigV4Refusal }
  | { readonly status: 'present'; readonly credential: C };

/** The request headers a credential is read from. */
export interface CredentialHeaders {
  readonly authorization?: string | undefined;
  readonly cookie?: string | undefined;
}

/** A request whose SigV4 signature counts as a credential too (the authorizer): the request as signed. */
export interface SignableCredentialSource extends CredentialHeaders {
  readonly signed: SignableRequest;
}

/** RFC 6750 §2.1 `b64token`, with optional surrounding whitespace. */
const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;
const BEARER_SCHEME = /^Bearer(?:[ \t]|$)/i;

/**
 * THE reader of session credentials. Given the request as signed (`signed`, the authorizer), an AWS4 signature
 * comes first: `Authorization: AWS4-…` or a presigned URL's `X-Amz-Algorithm`; a signature the client got wrong
 * is `malformed` with AWS's refusal. Else `Authorization: Bearer <token>`, else (when `cookie` is allowed, as for
 * browsers behind the authorizer) the `fedgate_session` cookie. A Bearer header that is not a well-formed token,
 * an empty or over-long value is `malformed`: present, but refused as invalid rather than "no credential".
 * Another `Authorization` scheme is not a session credential (`absent` unless the cookie carries one).
 */
export function readCredential(
  source: SignableCredentialSource,
  options: { readonly cookie: boolean },
): CredentialReading<PresentedCredential>;
export function readCredential(
  headers: CredentialHeaders,
  options: { readonly cookie: boolean },
): CredentialReading;
export function readCredential(
  headers: CredentialHeaders & { readonly signed?: SignableRequest },
  options: { readonly cookie: boolean },
): CredentialReading<PresentedCredential> {
  if (headers.signed !== undefined) {
    const signed = signedCredential(headers.signed, headers.authorization);
    if (signed !== undefined) return signed;
  }
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

/** The SigV4 signature of a request as a credential; `undefined` when the request carries none. */
function signedCredential(
  request: SignableRequest,
  authorization: string | undefined,
): CredentialReading<PresentedCredential> | undefined {
  // A cheap look first: most requests carry a bearer token or a cookie.
  const signedHeader = authorization?.trimStart().startsWith('AWS4-') === true;
  if (!signedHeader && !request.query.includes('X-Amz-')) return undefined;
  const parsed = parseSignature(request);
  if (parsed.ok === 'absent') return undefined;
  if (!parsed.ok) return { status: 'malformed', signature: parsed };
  // A presigned URL sent with a bearer token too: two credentials, and we refuse to pick one.
  if (!signedHeader && authorization !== undefined && BEARER_SCHEME.test(authorization))
    return {
      status: 'malformed',
      signature: sigv4Refusal(
        'IncompleteSignature',
        'The request carries both a presigned-URL signature and a bearer token.',
      ),
    };
  return {
    status: 'present',
    credential: { kind: 'sigv4', from: parsed.value.form, signature: parsed.value },
  };
}

/**
 * THE cookie parser (the `cookie` package Express itself uses): the first value of a name wins, values are
 * percent-decoded where they decode and kept as sent where they do not.
 */
export function parseCookies(header: string | undefined): Readonly<Record<string, string | undefined>> {
  if (header === undefined) return {};
  return Object.assign(Object.create(null) as Record<string, string | undefined>, parseCookieHeader(header));
}

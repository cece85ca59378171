import { decodeProtectedHeader, errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { FedgateError } from '../errors/index.js';
import type { RoleSession } from './role-session.js';
import { SIGNING_ALGORITHMS } from './signing-algorithm.js';
import type { CurrentSigningKey, KeyLike } from './signing-key-ring.js';

/** The JOSE `typ` of a fedgate session credential (SPEC 6.1). */
export const SESSION_TOKEN_TYPE = 'fedgate-session+jwt';

/** SPEC 6.1: a session credential must stay under this many bytes. */
export const MAX_SESSION_TOKEN_BYTES = 4096;

/** The claims of a session credential, exactly those of SPEC 6.1. */
export interface SessionTokenClaims {
  readonly iss: string;
  /** Assumed-role ARN. */
  readonly sub: string;
  readonly aud: string;
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  /** The session id. */
  readonly jti: string;
  /** Role ARN. */
  readonly role: string;
  readonly idp: string;
  readonly fsub: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly ttk: readonly string[];
  readonly srcid?: string;
  readonly mfa: boolean;
  readonly amr: readonly string[];
  readonly chain: number;
  readonly act?: Readonly<Record<string, unknown>>;
  /** Exchanged tokens: the granted scopes, space-separated (RFC 8693 §4.2, RFC 9068 §2.2.3). */
  readonly scope?: string;
  /** Exchanged tokens: the client the token was issued to (RFC 8693 §4.3, RFC 9068 §2.2). */
  readonly client_id?: string;
}

/** The claims a session's token carries: no secret, no policy text. */
export function claimsFor(session: RoleSession, issuer: string): SessionTokenClaims {
  return {
    iss: issuer,
    sub: session.principalArn,
    aud: session.audience,
    iat: session.issuedAt,
    nbf: session.issuedAt,
    exp: session.expiresAt,
    jti: session.id,
    role: session.roleArn,
    idp: session.provider,
    fsub: session.subject,
    tags: session.tags,
    ttk: session.transitiveTagKeys,
    ...(session.sourceIdentity === undefined ? {} : { srcid: session.sourceIdentity }),
    mfa: session.mfa,
    amr: session.amr,
    chain: session.chain,
    ...(session.actor === undefined ? {} : { act: session.actor }),
    ...(session.scope === undefined ? {} : { scope: session.scope }),
    ...(session.clientId === undefined ? {} : { client_id: session.clientId }),
  };
}

/** Signs the session's token with `key`, header `alg`, `kid`, `typ`. */
export async function signSessionToken(
  session: RoleSession,
  options: { readonly issuer: string; readonly key: CurrentSigningKey; readonly typ: string },
): Promise<string> {
  const claims = claimsFor(session, options.issuer);
  return new SignJWT({ ...claims } as unknown as JWTPayload)
    .setProtectedHeader({ alg: options.key.alg, kid: options.key.kid, typ: options.typ })
    .sign(options.key.privateKey);
}

/** What verifySessionToken needs besides the token. */
export interface VerifySessionTokenOptions {
  readonly issuer: string;
  readonly audience: string | readonly string[];
  readonly typ: string;
  /** Epoch ms. */
  readonly now: number;
  /** The published key with this kid and its algorithm, or undefined. */
  readonly keyFor: (kid: string) => Promise<{ readonly key: KeyLike; readonly alg: string } | undefined>;
}

/**
 * Checks signature (published kid only, alg from the allow-list, never `none`), `typ`, `iss`, `aud`,
 * `nbf` and `exp` with no skew, and the claim shapes. ExpiredToken for an expired token, InvalidToken for
 * anything else; a store failure while looking up the key propagates (StoreUnavailable).
 */
export async function verifySessionToken(
  token: string,
  options: VerifySessionTokenOptions,
): Promise<SessionTokenClaims> {
  if (typeof token !== 'string' || token.length === 0 || token.length > 4 * MAX_SESSION_TOKEN_BYTES)
    throw invalid('malformed token');
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(
      token,
      async (header) => {
        if (typeof header.kid !== 'string') throw invalid('no kid in the header');
        const published = await options.keyFor(header.kid);
        if (published === undefined) throw invalid('signed by a key that is not published');
        // The key decides the algorithm, never the token: no confusion between key types.
        if (header.alg !== published.alg) throw invalid('alg does not match the key');
        return published.key;
      },
      {
        algorithms: [...SIGNING_ALGORITHMS],
        typ: options.typ,
        issuer: options.issuer,
        audience: typeof options.audience === 'string' ? options.audience : [...options.audience],
        currentDate: new Date(options.now),
        clockTolerance: 0,
        requiredClaims: ['iss', 'sub', 'aud', 'iat', 'nbf', 'exp', 'jti'],
      },
    ));
  } catch (error) {
    if (error instanceof FedgateError) throw error;
    if (error instanceof errors.JWTExpired)
      throw new FedgateError('ExpiredToken', 'The security token included in the request is expired.', {
        cause: error,
      });
    if (error instanceof errors.JOSEError) throw invalid(error.code, error);
    // Whatever else a crafted token provokes inside the JOSE library is still a rejected token.
    throw invalid('token verification failed', error);
  }
  return checkClaimShapes(payload);
}

/**
 * The claims of a token whose signature this process has already verified, as `previous` (the session it was
 * verified as, which the caller holds for this exact token): the signature is not checked again, since it cannot
 * have changed; what can change is checked as verifySessionToken checks it — the signing key still published with
 * the token's `alg`, the audience, `nbf` and `exp` (no skew). ExpiredToken, InvalidToken, or a store failure
 * while looking up the key (StoreUnavailable).
 */
export async function recheckSessionToken(
  token: string,
  previous: RoleSession,
  options: VerifySessionTokenOptions,
): Promise<SessionTokenClaims> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch (error) {
    throw invalid('token verification failed', error);
  }
  if (typeof header.kid !== 'string') throw invalid('no kid in the header');
  const published = await options.keyFor(header.kid);
  if (published === undefined) throw invalid('signed by a key that is not published');
  if (header.alg !== published.alg) throw invalid('alg does not match the key');
  const audiences = typeof options.audience === 'string' ? [options.audience] : options.audience;
  if (!audiences.includes(previous.audience)) throw invalid('unexpected "aud" claim value');
  const now = Math.floor(options.now / 1000);
  if (previous.expiresAt <= now)
    throw new FedgateError('ExpiredToken', 'The security token included in the request is expired.');
  if (previous.issuedAt > now) throw invalid('"nbf" claim timestamp check failed');
  return claimsFor(previous, options.issuer);
}

function checkClaimShapes(payload: JWTPayload): SessionTokenClaims {
  const p = payload as Record<string, unknown>;
  const ok =
    typeof p['sub'] === 'string' &&
    typeof p['aud'] === 'string' &&
    typeof p['jti'] === 'string' &&
    p['jti'] !== '' &&
    typeof p['role'] === 'string' &&
    typeof p['idp'] === 'string' &&
    typeof p['fsub'] === 'string' &&
    isStringRecord(p['tags']) &&
    isStringArray(p['ttk']) &&
    (p['srcid'] === undefined || typeof p['srcid'] === 'string') &&
    typeof p['mfa'] === 'boolean' &&
    isStringArray(p['amr']) &&
    Number.isSafeInteger(p['chain']) &&
    (p['scope'] === undefined || typeof p['scope'] === 'string') &&
    (p['client_id'] === undefined || typeof p['client_id'] === 'string') &&
    (p['act'] === undefined ||
      (typeof p['act'] === 'object' && p['act'] !== null && !Array.isArray(p['act'])));
  if (!ok) throw invalid('claims do not have the session credential shape');
  return payload as unknown as SessionTokenClaims;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((item) => typeof item === 'string')
  );
}

function invalid(internal: string, cause?: unknown): FedgateError {
  return new FedgateError('InvalidToken', 'The security token included in the request is invalid.', {
    internal,
    ...(cause === undefined ? {} : { cause }),
  });
}

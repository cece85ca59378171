import { errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { FedgateError } from '../errors/index.js';
import type { Store } from '../store/index.js';
import { OAuthError, type OAuthRefusalReason } from './oauth-error.js';
import { ASYMMETRIC_JWS_ALGORITHMS } from '../catalog/asymmetric-jws-algorithms.js';

/** Asymmetric JWS algorithms only: an HMAC assertion would need the client secret on our side (RFC 7523 §3). */
export const CLIENT_ASSERTION_ALGORITHMS = ASYMMETRIC_JWS_ALGORITHMS;

/** An assertion may not be valid for longer than this: a short `exp` bounds the replay cache too. */
export const MAX_CLIENT_ASSERTION_LIFETIME_SECONDS = 300;

/** Clock skew tolerated on external tokens (SPEC 6.2). */
export const CLOCK_SKEW_SECONDS = 60;

/** What verifying one client's assertion needs. */
export interface ClientAssertionCheck {
  readonly clientId: string;
  readonly keys: JWTVerifyGetKey;
  /** Accepted `aud` values: the token endpoint URL and the issuer. */
  readonly audiences: readonly string[];
  readonly store: Store;
  /** Epoch milliseconds. */
  readonly now: number;
}

/** Where a used assertion `jti` is remembered until the assertion expires. */
export function clientAssertionReplayKey(clientId: string, jti: string): string {
  return `token-exchange:client-assertion:${encodeURIComponent(clientId)}:${encodeURIComponent(jti)}`;
}

/**
 * Verifies an RFC 7523 client assertion: signature with the client's keys (asymmetric algorithms only), `iss` =
 * `sub` = client id, `aud` the token endpoint or the issuer, `exp` within 5 minutes, and `jti` used once (kept in
 * the store until `exp`). Every failure is `invalid_client`; a store failure is `temporarily_unavailable`.
 */
export async function verifyClientAssertion(assertion: string, check: ClientAssertionCheck): Promise<void> {
  let payload: { exp?: number; jti?: unknown };
  try {
    ({ payload } = await jwtVerify(assertion, check.keys, {
      algorithms: [...CLIENT_ASSERTION_ALGORITHMS],
      issuer: check.clientId,
      subject: check.clientId,
      audience: [...check.audiences],
      requiredClaims: ['exp', 'jti'],
      currentDate: new Date(check.now),
      clockTolerance: CLOCK_SKEW_SECONDS,
    }));
  } catch (error) {
    throw refused(reasonOf(error), error);
  }
  const exp = payload.exp as number;
  const nowSeconds = check.now / 1000;
  if (exp - nowSeconds > MAX_CLIENT_ASSERTION_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS)
    throw refused('AssertionLifetimeTooLong');
  const jti = payload.jti;
  if (typeof jti !== 'string' || jti === '' || jti.length > 256) throw refused('AssertionWithoutJti');
  // Kept past `exp` by the tolerated skew: the assertion is acceptable that long.
  const ttlMs = Math.max(1000, Math.ceil((exp - nowSeconds + CLOCK_SKEW_SECONDS) * 1000));
  let first: boolean;
  try {
    first = await check.store.setIfAbsent(clientAssertionReplayKey(check.clientId, jti), '1', ttlMs);
  } catch (error) {
    throw new OAuthError('temporarily_unavailable', 'The token service is temporarily unavailable.', {
      reason: 'StoreUnavailable',
      cause: error,
    });
  }
  if (!first) throw refused('AssertionReplayed');
}

function reasonOf(error: unknown): OAuthRefusalReason {
  if (error instanceof errors.JWTExpired) return 'AssertionExpired';
  if (error instanceof errors.JWTClaimValidationFailed) return 'AssertionClaimInvalid';
  if (error instanceof errors.JWKSTimeout) return 'ClientJwksUnavailable';
  if (error instanceof errors.JWKSNoMatchingKey) return 'AssertionKeyUnknown';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'AssertionSignatureInvalid';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'AssertionAlgorithmNotAllowed';
  if (
    error instanceof FedgateError &&
    (error.code === 'StoreUnavailable' || error.code === 'ServiceUnavailable')
  )
    return error.code;
  if (error instanceof errors.JOSEError) return 'AssertionInvalid';
  // A fetch failure of the client's jwks_uri, or anything else a crafted assertion provokes.
  return 'ClientJwksUnavailable';
}

function refused(reason: OAuthRefusalReason, cause?: unknown): OAuthError {
  return new OAuthError('invalid_client', 'Client authentication failed.', {
    reason,
    ...(cause === undefined ? {} : { cause }),
  });
}

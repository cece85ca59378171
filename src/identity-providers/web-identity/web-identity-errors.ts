import { errors as joseErrors } from 'jose';
import { FedgateError } from '../../errors/index.js';

/** Stable reasons a web-identity token is refused with (`WebIdentityRefusal.reason`). */
export type WebIdentityFailureReason =
  | 'malformed'
  | 'unknown-issuer'
  | 'bad-audience'
  | 'alg-not-allowed'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid'
  | 'invalid-claims'
  | 'missing-jti'
  | 'missing-subject'
  | 'replayed';

/**
 * The web-identity catalogue of `FedgateError.reason`: a refused token, or an issuer whose keys cannot be had
 * (`idp-unreachable`, `discovery-*`).
 */
export type WebIdentityRefusalReason =
  | WebIdentityFailureReason
  | 'idp-unreachable'
  | 'discovery-failed'
  | 'discovery-issuer-mismatch'
  | 'discovery-without-jwks-uri'
  | 'discovery-insecure-jwks-uri';

declare module '../../errors/refusal-reason.js' {
  interface RefusalCatalogues {
    webIdentity: WebIdentityRefusalReason;
  }
}

const DETAIL: Record<WebIdentityFailureReason, string> = {
  malformed: 'The web identity token is not a well-formed JWT.',
  'unknown-issuer': 'The web identity token comes from an issuer that is not configured.',
  'bad-audience': 'The web identity token audience is not accepted by this provider.',
  'alg-not-allowed': 'The web identity token is signed with an algorithm that is not allowed.',
  'bad-signature': 'The web identity token signature is invalid.',
  expired: 'The web identity token has expired.',
  'not-yet-valid': 'The web identity token is not valid yet.',
  'invalid-claims': 'The web identity token claims are invalid.',
  'missing-jti': 'The web identity token has no jti, which this provider requires.',
  'missing-subject': 'The web identity token has no subject claim.',
  replayed: 'The web identity token was already used.',
};

/** A refused web-identity token: ExpiredToken when expired, InvalidIdentityToken otherwise. */
export class WebIdentityRefusal extends FedgateError {
  declare readonly reason: WebIdentityFailureReason;

  constructor(reason: WebIdentityFailureReason, cause?: unknown) {
    super(reason === 'expired' ? 'ExpiredToken' : 'InvalidIdentityToken', DETAIL[reason], {
      reason,
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

/** The error for a refused token: ExpiredToken when expired, InvalidIdentityToken otherwise. */
export function webIdentityError(reason: WebIdentityFailureReason, cause?: unknown): WebIdentityRefusal {
  return new WebIdentityRefusal(reason, cause);
}

function claimReason(claim: string): WebIdentityFailureReason {
  switch (claim) {
    case 'nbf':
    case 'iat':
      return 'not-yet-valid';
    case 'aud':
      return 'bad-audience';
    case 'iss':
      return 'unknown-issuer';
    default:
      return 'invalid-claims';
  }
}

/** Translates what jose throws during verification into our error, at the boundary. */
export function translateJoseError(error: unknown): FedgateError {
  if (error instanceof FedgateError) return error;
  if (error instanceof joseErrors.JOSEError) {
    switch (error.code) {
      case 'ERR_JWT_EXPIRED':
        return webIdentityError('expired', error);
      case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
        return webIdentityError(claimReason((error as joseErrors.JWTClaimValidationFailed).claim), error);
      case 'ERR_JOSE_ALG_NOT_ALLOWED':
        return webIdentityError('alg-not-allowed', error);
      case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      case 'ERR_JWKS_NO_MATCHING_KEY':
      case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
        return webIdentityError('bad-signature', error);
      case 'ERR_JWS_INVALID':
      case 'ERR_JWT_INVALID':
      case 'ERR_JOSE_NOT_SUPPORTED':
        return webIdentityError('malformed', error);
      default:
        // ERR_JWKS_TIMEOUT, ERR_JWKS_INVALID, ERR_JOSE_GENERIC (JWKS answered non-200): the IdP, not the token.
        break;
    }
  }
  return new FedgateError('ServiceUnavailable', 'The identity provider cannot be reached.', {
    reason: 'idp-unreachable',
    cause: error,
  });
}

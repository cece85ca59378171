import * as oidc from 'openid-client';
import { FedgateError } from '../../errors/index.js';

/** Stable reasons a browser OIDC login is refused with (`OidcLoginRefusal.reason`). */
export type OidcLoginFailureReason =
  | 'state-mismatch'
  | 'state-replayed'
  | 'missing-browser-binding'
  | 'nonce-mismatch'
  | 'iss-mismatch'
  | 'bad-audience'
  | 'alg-not-allowed'
  | 'bad-signature'
  | 'expired'
  | 'invalid-id-token'
  | 'missing-subject'
  | 'idp-error';

/**
 * The OIDC catalogue of `FedgateError.reason`: a refused login, or an identity provider that cannot be reached
 * (`idp-unreachable`, `discovery-failed`) or failed unexpectedly (`oidc-unexpected`).
 */
export type OidcRefusalReason =
  OidcLoginFailureReason | 'idp-unreachable' | 'discovery-failed' | 'oidc-unexpected';

declare module '../../errors/refusal-reason.js' {
  interface RefusalCatalogues {
    oidc: OidcRefusalReason;
  }
}

const DETAIL: Record<OidcLoginFailureReason, string> = {
  'state-mismatch': 'The sign-in response does not belong to a sign-in started in this browser. Start again.',
  'state-replayed': 'This sign-in response was already used. Start again.',
  'missing-browser-binding':
    'The sign-in cookie is missing (cookies blocked or sign-in expired). Start again.',
  'nonce-mismatch': 'The identity provider returned an ID token for another sign-in.',
  'iss-mismatch': 'The sign-in response does not come from the expected identity provider.',
  'bad-audience': 'The ID token was not issued to fedgate.',
  'alg-not-allowed': 'The ID token is signed with an algorithm that is not allowed.',
  'bad-signature': 'The ID token signature is invalid.',
  expired: 'The ID token has expired or is not valid yet.',
  'invalid-id-token': 'The identity provider returned an invalid ID token.',
  'missing-subject': 'The identity provider did not send the subject claim.',
  'idp-error': 'The identity provider refused the sign-in.',
};

/** A refused browser OIDC login: always `InvalidOidcResponse`, with the stable reason it was refused for. */
export class OidcLoginRefusal extends FedgateError {
  static readonly code = 'InvalidOidcResponse';
  declare readonly reason: OidcLoginFailureReason;

  /** `extra` (a safe, short code such as an OAuth error name) goes in the detail. */
  constructor(reason: OidcLoginFailureReason, options: { extra?: string; cause?: unknown } = {}) {
    const detail = options.extra === undefined ? DETAIL[reason] : `${DETAIL[reason]} (${options.extra})`;
    super(OidcLoginRefusal.code, detail, {
      reason,
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
  }
}

/** The error for a refused login; `extra` (a safe, short code such as an OAuth error name) goes in the detail. */
export function oidcLoginError(
  reason: OidcLoginFailureReason,
  options: { extra?: string; cause?: unknown } = {},
): OidcLoginRefusal {
  return new OidcLoginRefusal(reason, options);
}

/** An OAuth error code is echoed only when it has the RFC 6749 shape, so IdP text never reaches a page unfiltered. */
export function safeOAuthErrorCode(value: unknown): string | undefined {
  return typeof value === 'string' && /^[a-z_]{1,64}$/.test(value) ? value : undefined;
}

function detailsOf(error: oidc.ClientError): Record<string, unknown> {
  // openid-client wraps oauth4webapi's OperationProcessingError, whose own `cause` carries the structured details.
  const inner: unknown = error.cause;
  if (inner instanceof Error && typeof inner.cause === 'object' && inner.cause !== null) {
    return inner.cause as Record<string, unknown>;
  }
  return {};
}

/**
 * The library checks required ID token claims in the order aud, exp, iat, iss, sub, nonce: a presence
 * failure with all the others present is the nonce we always expect being absent.
 */
function isMissingOnlyNonce(claims: unknown): boolean {
  if (typeof claims !== 'object' || claims === null) return false;
  const record = claims as Record<string, unknown>;
  return (
    record['nonce'] === undefined && ['aud', 'exp', 'iat', 'iss', 'sub'].every((c) => record[c] !== undefined)
  );
}

function reasonForClientError(error: oidc.ClientError): OidcLoginFailureReason {
  const details = detailsOf(error);
  switch (error.code) {
    case 'OAUTH_JWT_CLAIM_COMPARISON_FAILED':
      switch (details['claim']) {
        case 'nonce':
          return 'nonce-mismatch';
        case 'iss':
          return 'iss-mismatch';
        case 'aud':
        case 'azp':
          return 'bad-audience';
        default:
          return 'invalid-id-token';
      }
    case 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED':
      return 'expired';
    case 'OAUTH_KEY_SELECTION_FAILED':
      return 'bad-signature';
    case 'OAUTH_INVALID_RESPONSE':
      if ('signature' in details) return 'bad-signature';
      if ('header' in details && 'expected' in details) return 'alg-not-allowed';
      if (isMissingOnlyNonce(details['claims'])) return 'nonce-mismatch';
      return 'invalid-id-token';
    default:
      return 'invalid-id-token';
  }
}

function isNetworkFailure(error: unknown): boolean {
  if (error instanceof DOMException) return error.name === 'TimeoutError' || error.name === 'AbortError';
  // undici reports an unreachable host as TypeError('fetch failed') with the socket error as cause.
  return error instanceof TypeError && error.cause instanceof Error;
}

/** Translates what openid-client throws during the code exchange into our error, at the boundary. */
export function translateOidcClientError(error: unknown): FedgateError {
  if (error instanceof FedgateError) return error;
  if (error instanceof oidc.AuthorizationResponseError || error instanceof oidc.ResponseBodyError) {
    const extra = safeOAuthErrorCode(error.error);
    return oidcLoginError('idp-error', { ...(extra === undefined ? {} : { extra }), cause: error });
  }
  if (error instanceof oidc.ClientError) {
    if (error.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || error.code === 'OAUTH_RESPONSE_IS_NOT_JSON') {
      return oidcLoginError('idp-error', { cause: error });
    }
    return oidcLoginError(reasonForClientError(error), { cause: error });
  }
  if (isNetworkFailure(error)) {
    return new FedgateError('ServiceUnavailable', 'The identity provider cannot be reached.', {
      reason: 'idp-unreachable',
      cause: error,
    });
  }
  return new FedgateError('InternalError', 'The sign-in could not be completed.', {
    reason: 'oidc-unexpected',
    cause: error,
  });
}

import { FedgateError, type ErrorCode } from '../errors/index.js';

/**
 * The RFC 6749 §5.2 / RFC 8693 §2.2.2 / RFC 7009 §2.2.1 / RFC 8628 §3.5 error codes the OAuth endpoints answer
 * with.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'unsupported_token_type'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'
  | 'access_denied';

/**
 * Why the token, revocation, introspection or device endpoints refused a request: the OAuth catalogue of
 * `FedgateError.reason`, written to `token.refused` audit events.
 */
export type OAuthRefusalReason =
  // The request's shape.
  | 'MissingParameter'
  | 'RepeatedParameter'
  | 'MalformedParameter'
  | 'MalformedResource'
  | 'MultipleTargets'
  | 'UnsupportedGrantType'
  | 'UnsupportedTokenType'
  | 'UnsupportedRequestedTokenType'
  // Client authentication.
  | 'NoClientAuthentication'
  | 'MultipleClientAuthentication'
  | 'MalformedBasicCredentials'
  | 'MalformedClientAssertion'
  | 'ClientIdMismatch'
  | 'UnknownClient'
  | 'AuthMethodNotRegistered'
  | 'WrongClientSecret'
  | 'NotIssuedToClient'
  // RFC 7523 client assertions.
  | 'AssertionInvalid'
  | 'AssertionExpired'
  | 'AssertionClaimInvalid'
  | 'AssertionKeyUnknown'
  | 'AssertionSignatureInvalid'
  | 'AssertionAlgorithmNotAllowed'
  | 'AssertionLifetimeTooLong'
  | 'AssertionWithoutJti'
  | 'AssertionReplayed'
  | 'ClientJwksUnavailable'
  // The presented subject and actor tokens.
  | 'SubjectTokenExpired'
  | 'SubjectTokenInvalid'
  | 'SubjectTokenRevoked'
  | 'ActorTokenExpired'
  | 'ActorTokenInvalid'
  | 'ActorChainTooLong'
  | 'LineageTooLong'
  // What is asked for.
  | 'AudienceNotAllowed'
  | 'ScopeNotAllowedForClient'
  | 'ScopeWiderThanSubject'
  | 'RoleRequired'
  | 'RoleMismatch'
  | 'RoleRemoved'
  | 'RoleRefused'
  | 'TrustPolicyDenied'
  | 'ExplicitDeny'
  | 'ImplicitDeny'
  | 'TokenTooLarge'
  | 'SignInEnded'
  // The device authorization grant (RFC 8628).
  | 'AuthorizationPending'
  | 'PolledTooSoon'
  | 'DeviceDenied'
  | 'DeviceCodeExpired'
  | 'UnknownDeviceCode'
  | 'UnknownUserCode'
  | 'UserCodeSpaceExhausted'
  // A dependency that cannot be reached.
  | 'StoreUnavailable'
  | 'ServiceUnavailable';

declare module '../errors/refusal-reason.js' {
  interface RefusalCatalogues {
    oauth: OAuthRefusalReason;
  }
}

/** Options of an OAuthError: the stable reason goes to audit events, the internal detail to logs only. */
export interface OAuthErrorOptions {
  /** Stable refusal reason (`UnknownClient`, `AssertionReplayed`, `ExchangeDenied`…) for audit events. */
  readonly reason: OAuthRefusalReason;
  readonly internal?: string;
  readonly cause?: unknown;
}

// The closest code of the gateway's error tree, so an OAuthError that escapes the token endpoint still
// renders as a sensible problem document.
const FEDGATE_CODE: Record<OAuthErrorCode, ErrorCode> = {
  invalid_request: 'ValidationError',
  invalid_client: 'InvalidToken',
  invalid_grant: 'AccessDenied',
  unauthorized_client: 'AccessDenied',
  unsupported_grant_type: 'ValidationError',
  invalid_scope: 'ValidationError',
  invalid_target: 'ValidationError',
  unsupported_token_type: 'ValidationError',
  server_error: 'InternalError',
  temporarily_unavailable: 'ServiceUnavailable',
  authorization_pending: 'ValidationError',
  slow_down: 'ValidationError',
  expired_token: 'ExpiredToken',
  access_denied: 'AccessDenied',
};

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  invalid_target: 400,
  unsupported_token_type: 400,
  server_error: 500,
  temporarily_unavailable: 503,
  authorization_pending: 400,
  slow_down: 400,
  expired_token: 400,
  access_denied: 400,
};

/**
 * A refused token request: `error` and the public `detail` (`error_description`) are what the client sees;
 * `reason` is the stable code audit events carry. A FedgateError, so the one error tree still holds.
 */
export class OAuthError extends FedgateError {
  readonly error: OAuthErrorCode;
  declare readonly reason: OAuthRefusalReason;

  constructor(error: OAuthErrorCode, description: string, options: OAuthErrorOptions) {
    super(FEDGATE_CODE[error], description, {
      status: STATUS[error],
      reason: options.reason,
      ...(options.internal === undefined ? {} : { internal: options.internal }),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.name = 'OAuthError';
    this.error = error;
  }
}

/** True when `value` is an OAuthError. */
export function isOAuthError(value: unknown): value is OAuthError {
  return value instanceof OAuthError;
}

import type { RefusalReason } from './refusal-reason.js';

/** Stable, public error codes. AWS STS names where one exists. */
export type ErrorCode =
  | 'ValidationError'
  | 'MalformedPolicyDocument'
  | 'PackedPolicyTooLarge'
  | 'InvalidIdentityToken'
  | 'IDPRejectedClaim'
  | 'ExpiredToken'
  | 'InvalidToken'
  | 'InvalidClientTokenId'
  | 'MissingAuthenticationToken'
  | 'InvalidAction'
  | 'InvalidAuthorizationMessageException'
  | 'AccessDenied'
  | 'ExplicitDeny'
  | 'ImplicitDeny'
  | 'NoMatchingRoute'
  | 'AmbiguousForwardedRequest'
  | 'UnsafeRequestPath'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'PayloadTooLarge'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'StoreUnavailable'
  | 'ServiceUnavailable'
  | 'InvalidConfiguration'
  | 'LoginFailed'
  | 'InvalidSamlResponse'
  | 'InvalidOidcResponse'
  | 'CsrfTokenInvalid'
  | 'IDPCommunicationError'
  | 'InternalError'
  // SigV4-family signatures (AWS's common error names).
  | 'IncompleteSignature'
  | 'SignatureDoesNotMatch'
  | 'RequestExpired'
  // The authorizer: a route's `sigv4Payload` does not accept how the request declared its payload.
  | 'PayloadSigningNotAccepted'
  // IAM Roles Anywhere CreateSession (certificate checks).
  | 'RequestReplayed'
  | 'UntrustedCertificate'
  | 'CertificateExpired'
  | 'CertificateNotYetValid'
  | 'CertificateNotForSigning'
  | 'UnsupportedCertificateKey'
  | 'CertificateRevoked';

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  ValidationError: 400,
  MalformedPolicyDocument: 400,
  PackedPolicyTooLarge: 400,
  InvalidIdentityToken: 400,
  IDPRejectedClaim: 403,
  ExpiredToken: 401,
  InvalidToken: 401,
  InvalidClientTokenId: 403,
  MissingAuthenticationToken: 403,
  InvalidAction: 400,
  InvalidAuthorizationMessageException: 400,
  AccessDenied: 403,
  ExplicitDeny: 403,
  ImplicitDeny: 403,
  NoMatchingRoute: 403,
  AmbiguousForwardedRequest: 400,
  UnsafeRequestPath: 400,
  NotFound: 404,
  MethodNotAllowed: 405,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  TooManyRequests: 429,
  StoreUnavailable: 503,
  ServiceUnavailable: 503,
  InvalidConfiguration: 500,
  LoginFailed: 401,
  InvalidSamlResponse: 400,
  InvalidOidcResponse: 400,
  CsrfTokenInvalid: 403,
  IDPCommunicationError: 502,
  InternalError: 500,
  IncompleteSignature: 400,
  SignatureDoesNotMatch: 403,
  RequestExpired: 403,
  PayloadSigningNotAccepted: 401,
  RequestReplayed: 403,
  UntrustedCertificate: 403,
  CertificateExpired: 403,
  CertificateNotYetValid: 403,
  CertificateNotForSigning: 403,
  UnsupportedCertificateKey: 403,
  CertificateRevoked: 403,
};

/** Options of a FedgateError: the public detail is shown to clients, the internal one only logged. */
export interface FedgateErrorOptions {
  /** Shown to the client; never secrets, tokens or other users' data. */
  readonly detail?: string;
  /** Why, from the refusing domain's catalogue; read by audit and tests, never returned. */
  readonly reason?: RefusalReason;
  /** Logged only, never returned; defaults to the reason. */
  readonly internal?: string;
  /** Overrides the status the code implies. */
  readonly status?: number;
  readonly cause?: unknown;
}

/**
 * The one error type fedgate throws for rejected untrusted input or failed dependencies.
 * Programmer errors stay TypeError/Error. Branch on `code` (public) or `reason` (the domain's stable reason),
 * never on the message or `internal`.
 */
export class FedgateError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string;
  /** The refusing domain's stable reason (`weak-algorithm`, `TrustPolicyDenied`…), when it gave one. */
  readonly reason: RefusalReason | undefined;
  /** Free text for the log only. */
  readonly internal: string | undefined;

  constructor(code: ErrorCode, detail?: string, options: Omit<FedgateErrorOptions, 'detail'> = {}) {
    super(detail ?? code, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FedgateError';
    this.code = code;
    this.status = options.status ?? STATUS_BY_CODE[code];
    this.detail = detail ?? code;
    this.reason = options.reason;
    this.internal = options.internal ?? options.reason;
  }
}

/** True when `value` is a FedgateError (also across module copies). */
export function isFedgateError(value: unknown): value is FedgateError {
  return value instanceof FedgateError;
}

/** The HTTP status a code implies. */
export function statusForCode(code: ErrorCode): number {
  return STATUS_BY_CODE[code];
}

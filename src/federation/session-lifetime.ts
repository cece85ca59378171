import { FedgateError } from '../errors/index.js';

/** The shortest role session (SPEC 6.2). */
export const MIN_SESSION_SECONDS = 900;

/** What decides how long a new role session lives. */
export interface LifetimeRequest {
  /** `DurationSeconds` from the request, unvalidated. */
  readonly requestedSeconds?: number | undefined;
  /** AWS SAML `SessionDuration` from the IdP: honoured within the limits, never an error. */
  readonly idpSessionSeconds?: number | undefined;
  readonly roleMaxSeconds: number;
  /** `sessions.defaultDuration`. */
  readonly defaultSeconds: number;
  /** True for role chaining: capped at `chainedMaxSeconds` (1 h). */
  readonly chained: boolean;
  readonly chainedMaxSeconds: number;
  /** Epoch milliseconds the session must not outlive (portal session, subject token). */
  readonly notAfter?: number | undefined;
  /** Epoch milliseconds. */
  readonly now: number;
}

/**
 * The lifetime in seconds of a new role session (SPEC 6.2): `DurationSeconds` must be 900 … the role's maximum
 * (1 h when chained), else ValidationError; without it the IdP's `SessionDuration` clamped to that range, else the
 * default capped at the maximum. Never beyond `notAfter`; ExpiredToken when that has already passed.
 */
export function sessionLifetimeSeconds(request: LifetimeRequest): number {
  const max = request.chained
    ? Math.min(request.roleMaxSeconds, request.chainedMaxSeconds)
    : request.roleMaxSeconds;
  let seconds: number;
  if (request.requestedSeconds !== undefined) {
    const requested = request.requestedSeconds;
    if (!Number.isInteger(requested) || requested < MIN_SESSION_SECONDS || requested > max) {
      throw new FedgateError(
        'ValidationError',
        `DurationSeconds must be an integer from ${MIN_SESSION_SECONDS} to ${max}${request.chained ? ' for a chained role session' : " (the role's maximum session duration)"}`,
      );
    }
    seconds = requested;
  } else if (request.idpSessionSeconds !== undefined && Number.isFinite(request.idpSessionSeconds)) {
    seconds = Math.min(max, Math.max(MIN_SESSION_SECONDS, Math.floor(request.idpSessionSeconds)));
  } else {
    seconds = Math.min(request.defaultSeconds, max);
  }
  if (request.notAfter !== undefined) {
    const remaining = Math.floor((request.notAfter - request.now) / 1000);
    if (remaining <= 0)
      throw new FedgateError('ExpiredToken', 'The session this request comes from has expired');
    seconds = Math.min(seconds, remaining);
  }
  return seconds;
}

import { isFedgateError } from '../errors/index.js';
import { isOAuthError, OAuthError } from './oauth-error.js';

/**
 * The token endpoint's answer to a subject or actor token that failed verification. RFC 8693 §2.2.2: an invalid
 * token is `invalid_request`; a store or IdP that cannot be reached is `temporarily_unavailable` (never a pass).
 * Anything else (a programmer error) is rethrown as it is.
 */
export function refusalOfToken(parameter: 'subject_token' | 'actor_token', error: unknown): OAuthError {
  if (isOAuthError(error)) return error;
  const prefix = parameter === 'subject_token' ? 'SubjectToken' : 'ActorToken';
  if (isFedgateError(error)) {
    switch (error.code) {
      case 'StoreUnavailable':
      case 'ServiceUnavailable':
        return new OAuthError('temporarily_unavailable', 'The token service is temporarily unavailable.', {
          reason: error.code,
          cause: error,
        });
      case 'ExpiredToken':
        return new OAuthError('invalid_request', `The ${parameter} has expired.`, {
          reason: `${prefix}Expired`,
          cause: error,
        });
      case 'InvalidToken':
      case 'InvalidIdentityToken':
      case 'IDPRejectedClaim':
      case 'ValidationError':
        return new OAuthError('invalid_request', `The ${parameter} is invalid.`, {
          reason: `${prefix}Invalid`,
          ...(error.internal === undefined ? {} : { internal: error.internal }),
          cause: error,
        });
      default:
        break;
    }
  }
  throw error;
}

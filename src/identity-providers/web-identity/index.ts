export { WebIdentityVerifier, WEB_IDENTITY_CLOCK_SKEW_SECONDS } from './web-identity-verifier.js';
export type { WebIdentityVerifierDeps } from './web-identity-verifier.js';
export type { WebIdentityProviderOptions } from './web-identity-provider-options.js';
export { assertWebIdentityProviderOptions } from './web-identity-provider-options.js';
export { WebIdentityRefusal } from './web-identity-errors.js';
export type { WebIdentityFailureReason, WebIdentityRefusalReason } from './web-identity-errors.js';
export {
  JWKS_CACHE_MAX_AGE_MS,
  JWKS_REFETCH_COOLDOWN_MS,
  WEB_IDENTITY_HTTP_TIMEOUT_MS,
} from './issuer-key-set.js';

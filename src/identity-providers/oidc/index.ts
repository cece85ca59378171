export {
  OidcRelyingParty,
  OIDC_CLOCK_TOLERANCE_SECONDS,
  OIDC_HTTP_TIMEOUT_SECONDS,
} from './oidc-relying-party.js';
export type { BeginLoginResult, CompletedOidcLogin, OidcRelyingPartyDeps } from './oidc-relying-party.js';
export type { OidcProviderOptions } from './oidc-provider-options.js';
export { assertOidcProviderOptions } from './oidc-provider-options.js';
export { OidcLoginRefusal } from './oidc-login-errors.js';
export type { OidcLoginFailureReason, OidcRefusalReason } from './oidc-login-errors.js';
export { LOGIN_STATE_TTL_MS } from './login-state-store.js';
export {
  AWS_TAGS_CLAIM,
  MFA_AMR_VALUES,
  amrMeansMfa,
  awsTagsFromClaim,
  claimsToIdentity,
} from './claims-to-identity.js';
export type { ClaimMappings, ClaimsToIdentityInput } from './claims-to-identity.js';
export { claimValues, parseClaimMapping } from './claim-mapping.js';
export {
  ASYMMETRIC_JWS_ALGORITHMS,
  assertAllowedAlgorithms,
  assertIssuerUrl,
  isLoopbackHttp,
} from './signing-algorithms.js';

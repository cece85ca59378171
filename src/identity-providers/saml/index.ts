export { SamlServiceProvider } from './saml-service-provider.js';
export { PostedSamlMessage } from './saml-posted-message.js';
export type { SplitSamlJsonBody } from './saml-json-body.js';
export { sharedSamlVerifierPool } from './saml-verifier-pool.js';
export type { SamlLogin, SamlServiceProviderDeps } from './saml-service-provider.js';
export type { SamlProviderOptions } from './saml-provider-options.js';
export { SAML_CLOCK_SKEW_MS } from './saml-provider-options.js';
export type {
  SamlLogoutMessage,
  SamlLogoutRequestResult,
  SamlLogoutResponseResult,
  SamlLogoutResult,
  SamlLogoutSubject,
} from './saml-logout.js';
export { SamlRejection } from './saml-rejection.js';
export type { SamlRejectionReason } from './saml-rejection.js';
export { AWS_SAML_ATTRIBUTE } from './saml-identity.js';

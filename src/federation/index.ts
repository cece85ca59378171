export type { FederatedIdentity, ProviderType, VerifiedWebIdentity } from './federated-identity.js';
export {
  callerSessionPrincipal,
  federatedPrincipal,
  issuerHost,
  issuerHostPath,
  providerArn,
} from './trust-principal.js';
export type { ArnScope, CallerSessionPrincipal } from './trust-principal.js';
export {
  chainedTrustContext,
  requestContextKeys,
  SAML_RESERVED_CONTEXT_NAMES,
  trustContextFor,
} from './trust-context.js';
export type { ChainCaller, TrustContext, TrustRequestFacts } from './trust-context.js';
export {
  assumableRoles,
  decideAssumeRole,
  federatedAction,
  federatedTrustRequest,
} from './trust-decision.js';
export type { AssumeRoleAction, TrustDecision, TrustRefusalReason, TrustRequest } from './trust-decision.js';
export {
  chainedTagSet,
  MAX_SESSION_TAGS,
  MAX_TAG_KEY_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  tagsFromList,
  validateTagSet,
} from './session-tags.js';
export type { CallerTags, SessionTags, TagSet } from './session-tags.js';
export {
  assertSessionName,
  assertSourceIdentity,
  defaultSessionName,
  samlNameQualifier,
  samlSubjectType,
  SESSION_NAME_PATTERN,
} from './session-identifiers.js';
export { MIN_SESSION_SECONDS, sessionLifetimeSeconds } from './session-lifetime.js';
export type { LifetimeRequest } from './session-lifetime.js';
export {
  assertPackedPolicySize,
  MAX_SESSION_POLICY_ARNS,
  MAX_SESSION_POLICY_CHARS,
  packedPolicySize,
  resolveSessionPolicies,
} from './session-policies.js';
export type { ResolvedSessionPolicies, SessionPolicyRequest } from './session-policies.js';

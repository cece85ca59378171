export type { AuthorizerRouting } from './authorizer-routing.js';
export { createAuthorizer } from './create-authorizer.js';
export type { Authorizer, AuthorizerDeps, AuthorizerStats } from './create-authorizer.js';
export { SIMULATE_PRINCIPAL_ACTION } from './authz-check.js';
export type { CheckAnswer, CheckCall, CheckOutcome } from './authz-check.js';
export { FORWARD_AUTH_ERROR_METRIC, FORWARD_AUTH_OUTCOMES } from './forward-auth-result.js';
export type {
  AuthzRefusalReason,
  ForwardAuthOutcome,
  ForwardAuthReason,
  ForwardAuthResult,
  ForwardAuthSubject,
  LoginRedirect,
} from './forward-auth-result.js';
export type { IdentityHeaders } from './identity-headers.js';
export { headerSafe } from './identity-headers.js';
export { SIMULATOR_PATH, simulatorLink } from './denial-explanation.js';
export type { DenialExplanation } from './denial-explanation.js';
export { AUTHZ_MOUNT } from './original-request.js';
export type { AuthorizerCall } from './original-request.js';
export { ASSERTION_LIFETIME_SECONDS, ASSERTION_TYPE } from './upstream-assertion.js';
export { serializeTagsDictionary } from './structured-tags.js';
export { RouteTable } from './route-table.js';
export { TrustedProxies } from './trusted-proxies.js';

export { createAuthorizer } from './create-authorizer.js';
export type { Authorizer, AuthorizerDeps } from './create-authorizer.js';
export { startAuthorizerServer } from './authorizer-server.js';
export { SIMULATE_PRINCIPAL_ACTION } from './authz-check.js';
export { ASSERTION_LIFETIME_SECONDS, ASSERTION_TYPE } from './upstream-assertion.js';
export { SESSION_COOKIE, credentialOf } from './request-credential.js';
export { serializeTagsDictionary } from './structured-tags.js';

export { ClientRegistry } from './client-registry.js';
export type { ClientRegistryOptions, RegisteredClient } from './client-registry.js';
export {
  CLIENT_ASSERTION_ALGORITHMS,
  clientAssertionReplayKey,
  MAX_CLIENT_ASSERTION_LIFETIME_SECONDS,
} from './client-assertion.js';
export { clientCredentialsOf } from './client-credentials.js';
export type { ClientAuthMethod, ClientCredentials } from './client-credentials.js';
export { actClaimFor, MAX_ACTOR_CHAIN_DEPTH } from './exchange-actor.js';
export type { ExchangeActor } from './exchange-actor.js';
export { narrowScope } from './exchange-scope.js';
export { audienceArn, chooseAudience } from './exchange-target.js';
export { isOAuthError, OAuthError } from './oauth-error.js';
export type { OAuthErrorCode, OAuthErrorOptions, OAuthRefusalReason } from './oauth-error.js';
export { EXCHANGE_ACTION, TokenExchangeService } from './token-exchange-service.js';
export type {
  AuditRecorder,
  ExchangeSessionService,
  TokenExchangeResponse,
  TokenExchangeServiceOptions,
  TokenExchangeSettings,
  TokenRequestContext,
  WebIdentityTokenVerifier,
} from './token-exchange-ports.js';
export type { TokenEndpointInput } from './token-request.js';
export { singleParameter } from './token-request.js';
export { JWT_BEARER_ASSERTION_TYPE, TOKEN_EXCHANGE_GRANT_TYPE, TOKEN_TYPE } from './token-types.js';
export { TokenManagementService } from './token-management.js';
export type { IntrospectionResponse, TokenManagementOptions } from './token-management.js';

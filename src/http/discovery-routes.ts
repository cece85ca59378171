import type { Express } from 'express';
import { OAUTH_PATHS } from '../catalog/names.js';
import { DEVICE_CODE_GRANT_TYPE, REFRESH_TOKEN_GRANT_TYPE } from '../device-authorization/index.js';

/** What the discovery documents need: the issuer, the algorithm and the published keys. */
export interface DiscoveryDependencies {
  readonly issuer: () => string;
  readonly algorithm: () => string;
  readonly jwks: () => Promise<{ keys: readonly object[] }>;
}

const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];
const CLIENT_ASSERTION_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];

/**
 * The RFC 8414 authorization server metadata: every OAuth endpoint fedgate serves, with the client
 * authentication each accepts. The OpenID configuration is this plus its own members.
 */
function authorizationServerMetadata(issuer: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    token_endpoint: `${issuer}${OAUTH_PATHS.token}`,
    grant_types_supported: [TOKEN_EXCHANGE_GRANT, DEVICE_CODE_GRANT_TYPE, REFRESH_TOKEN_GRANT_TYPE],
    // RFC 8628 §4: where `fedgate login` (the public client `fedgate-cli`) starts a device authorization.
    device_authorization_endpoint: `${issuer}${OAUTH_PATHS.deviceAuthorization}`,
    // fedgate has no authorization endpoint: tokens come from the portal, the STS and token exchange.
    response_types_supported: ['none'],
    // `none`: the device and refresh grants of the public client `fedgate-cli` (RFC 8628 §3.4).
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS, 'none'],
    token_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGORITHMS,
    revocation_endpoint: `${issuer}${OAUTH_PATHS.revocation}`,
    revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS, 'none'],
    revocation_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGORITHMS,
    introspection_endpoint: `${issuer}${OAUTH_PATHS.introspection}`,
    introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    introspection_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGORITHMS,
  };
}

/**
 * Mounts `/.well-known/jwks.json`, `/.well-known/openid-configuration` (SPEC 4.1) and the RFC 8414
 * `/.well-known/oauth-authorization-server`.
 */
export function discoveryRoutes(deps: DiscoveryDependencies): (app: Express) => void {
  return (app) => {
    app.get('/.well-known/jwks.json', async (_req, res) => {
      const jwks = await deps.jwks();
      // Short caching: a rotated key must reach verifiers well before tokens signed with it circulate widely.
      res.setHeader('Cache-Control', 'public, max-age=60');
      res.json(jwks);
    });
    app.get('/.well-known/oauth-authorization-server', (_req, res) => {
      res.setHeader('Cache-Control', 'public, max-age=300');
      res.json(authorizationServerMetadata(deps.issuer()));
    });
    app.get('/.well-known/openid-configuration', (_req, res) => {
      const issuer = deps.issuer();
      res.setHeader('Cache-Control', 'public, max-age=300');
      res.json({
        ...authorizationServerMetadata(issuer),
        id_token_signing_alg_values_supported: [deps.algorithm()],
        subject_types_supported: ['public'],
        claims_supported: [
          'iss',
          'sub',
          'aud',
          'iat',
          'nbf',
          'exp',
          'jti',
          'role',
          'idp',
          'fsub',
          'tags',
          'ttk',
          'srcid',
          'mfa',
          'amr',
          'chain',
          'act',
          'scope',
          'client_id',
        ],
      });
    });
  };
}

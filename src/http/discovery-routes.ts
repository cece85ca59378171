import type { Express } from 'express';

/** What the discovery documents need: the issuer, the algorithm and the published keys. */
export interface DiscoveryDependencies {
  readonly issuer: () => string;
  readonly algorithm: () => string;
  readonly jwks: () => Promise<{ keys: readonly object[] }>;
}

const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** Mounts `/.well-known/jwks.json` and `/.well-known/openid-configuration` (SPEC 4.1). */
export function discoveryRoutes(deps: DiscoveryDependencies): (app: Express) => void {
  return (app) => {
    app.get('/.well-known/jwks.json', async (_req, res) => {
      const jwks = await deps.jwks();
      // Short caching: a rotated key must reach verifiers well before tokens signed with it circulate widely.
      res.setHeader('Cache-Control', 'public, max-age=60');
      res.json(jwks);
    });
    app.get('/.well-known/openid-configuration', (_req, res) => {
      const issuer = deps.issuer();
      res.setHeader('Cache-Control', 'public, max-age=300');
      res.json({
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        token_endpoint: `${issuer}/oauth2/token`,
        grant_types_supported: [TOKEN_EXCHANGE_GRANT],
        token_endpoint_auth_methods_supported: [
          'client_secret_basic',
          'client_secret_post',
          'private_key_jwt',
        ],
        token_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'EdDSA'],
        id_token_signing_alg_values_supported: [deps.algorithm()],
        subject_types_supported: ['public'],
        response_types_supported: ['none'],
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
        ],
        revocation_endpoint: `${issuer}/sts/revoke`,
      });
    });
  };
}

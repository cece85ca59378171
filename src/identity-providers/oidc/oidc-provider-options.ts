import { parseClaimMapping } from './claim-mapping.js';
import { assertAllowedAlgorithms, assertIssuerUrl } from './signing-algorithms.js';

/** One OIDC identity provider for browser login, as resolved from the configuration. */
export interface OidcProviderOptions {
  id: string;
  /** The issuer identifier; discovery is `${issuer}/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  /** Omitted for a public client (PKCE only). */
  clientSecret?: string;
  /** Must contain `openid`. */
  scopes: string[];
  /** `${publicUrl}/oidc/${id}/callback`, computed by the caller. */
  redirectUri: string;
  /** `claim:<name>`, usually `claim:sub`. */
  subject: string;
  groups?: string;
  sessionName?: string;
  /** Session tag key → `claim:<name>`. */
  tags: Record<string, string>;
  /** Also read the userinfo endpoint and merge its claims (the ID token wins on conflicts). */
  userinfo: boolean;
  /** ID token signing algorithms accepted (asymmetric only). */
  allowedAlgorithms: string[];
}

/** Checks options a config loader already validated; a violation here is a programmer error (TypeError). */
export function assertOidcProviderOptions(options: OidcProviderOptions): void {
  const path = `identityProviders[${options.id}]`;
  if (options.id === '') throw new TypeError('identity provider id must not be empty');
  assertIssuerUrl(options.issuer, `${path}.issuer`);
  if (options.clientId === '') throw new TypeError(`${path}.clientId must not be empty`);
  if (!options.scopes.includes('openid')) throw new TypeError(`${path}.scopes must include "openid"`);
  assertIssuerUrl(options.redirectUri, `${path}.redirectUri`);
  parseClaimMapping(options.subject, `${path}.subject`);
  if (options.groups !== undefined) parseClaimMapping(options.groups, `${path}.groups`);
  if (options.sessionName !== undefined) parseClaimMapping(options.sessionName, `${path}.sessionName`);
  for (const [key, mapping] of Object.entries(options.tags))
    parseClaimMapping(mapping, `${path}.tags.${key}`);
  assertAllowedAlgorithms(options.allowedAlgorithms, `${path}.allowedAlgorithms`);
}

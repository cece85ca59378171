import { assertAllowedAlgorithms, assertIssuerUrl, parseClaimMapping } from '../oidc/index.js';

/** One OIDC issuer whose JWTs AssumeRoleWithWebIdentity and token exchange accept, as resolved from the configuration. */
export interface WebIdentityProviderOptions {
  id: string;
  /** Must equal the token's `iss` exactly. */
  issuer: string;
  /** A token is accepted when one of its `aud` values is listed; empty means no token is accepted. */
  audiences: string[];
  /** Skips discovery when set. */
  jwksUri?: string;
  /** Asymmetric JWS algorithms only. */
  allowedAlgorithms: string[];
  /** Each `jti` accepted once (tokens without `jti` are refused). */
  replayProtection: boolean;
  /** `claim:<name>`, usually `claim:sub`. */
  subject: string;
  groups?: string;
  sessionName?: string;
  tags: Record<string, string>;
}

/** Checks options a config loader already validated; a violation here is a programmer error (TypeError). */
export function assertWebIdentityProviderOptions(options: WebIdentityProviderOptions): void {
  const path = `identityProviders[${options.id}]`;
  if (options.id === '') throw new TypeError('identity provider id must not be empty');
  assertIssuerUrl(options.issuer, `${path}.issuer`);
  if (options.jwksUri !== undefined) assertIssuerUrl(options.jwksUri, `${path}.jwksUri`);
  assertAllowedAlgorithms(options.allowedAlgorithms, `${path}.allowedAlgorithms`);
  parseClaimMapping(options.subject, `${path}.subject`);
  if (options.groups !== undefined) parseClaimMapping(options.groups, `${path}.groups`);
  if (options.sessionName !== undefined) parseClaimMapping(options.sessionName, `${path}.sessionName`);
  for (const [key, mapping] of Object.entries(options.tags))
    parseClaimMapping(mapping, `${path}.tags.${key}`);
}

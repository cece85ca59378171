import type { Finding } from './check-config-policies.js';
import { formatConfigPath } from './config-path.js';

/**
 * Warnings about identity provider settings that are valid but weaken sign-in: `allowSha1: true` on a SAML
 * provider re-enables RSA-SHA1 signatures and SHA-1 digests, whose collisions are practical (SHAttered, 2017).
 */
export function checkProviderFindings(tree: unknown): Finding[] {
  if (tree === null || typeof tree !== 'object') return [];
  const providers = (tree as { identityProviders?: unknown }).identityProviders;
  if (!Array.isArray(providers)) return [];
  const findings: Finding[] = [];
  providers.forEach((provider: unknown, index) => {
    if (provider === null || typeof provider !== 'object') return;
    const { type, allowSha1 } = provider as { type?: unknown; allowSha1?: unknown };
    if (type === 'saml' && (allowSha1 === true || allowSha1 === 'true')) {
      findings.push({
        severity: 'security-warning',
        code: 'SamlSha1Allowed',
        path: formatConfigPath(['identityProviders', index, 'allowSha1']),
        message:
          'accepts RSA-SHA1 signatures and SHA-1 digests from this IdP; SHA-1 collisions are practical, ask the IdP for SHA-256',
      });
    }
  });
  return findings;
}

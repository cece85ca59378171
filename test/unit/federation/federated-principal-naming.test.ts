import { describe, expect, it } from 'vitest';
import {
  decideAssumeRole,
  federatedTrustRequest,
  type FederatedIdentity,
} from '../../../src/federation/index.js';
import { parsePolicy } from '../../../src/policy/index.js';
import type { RoleDefinition } from '../../../src/roles/index.js';

/*
 * Issue 13, rule 8, at the trust step: a Federated principal names one provider exactly. Two OIDC providers on
 * one host (issuers https://oidc.example.com/id/A and …/id/B) used to share the bare-host alias, so a trust
 * policy written for one admitted the other.
 */

const scope = { partition: 'fedgate', account: '000000000000' };

function identity(provider: string, issuer: string): FederatedIdentity {
  return {
    provider,
    providerType: 'oidc',
    issuer,
    subject: 'repo:acme/app',
    attributes: { sub: ['repo:acme/app'] },
    groups: [],
    amr: [],
    mfa: false,
    authTime: 1_767_225_600,
    audience: 'fedgate',
  };
}

function roleTrusting(federated: string): RoleDefinition {
  return {
    name: 'Deploy',
    arn: 'arn:fedgate:iam::000000000000:role/Deploy',
    maxSessionDurationSeconds: 3600,
    trustPolicy: parsePolicy(
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Federated: federated }, Action: 'sts:AssumeRoleWithWebIdentity' },
        ],
      },
      { name: 'trust', kind: 'trust' },
    ),
    identityPolicies: [],
    tags: {},
  };
}

const A = identity('cluster-a', 'https://oidc.example.com/id/A');
const B = identity('cluster-b', 'https://oidc.example.com/id/B');
const ROOT = identity('plain', 'https://accounts.example.com');

function allowed(role: RoleDefinition, who: FederatedIdentity): boolean {
  const facts = { sessionName: 's', requestTags: {}, transitiveTagKeys: [], now: 1_767_225_600_000 };
  return decideAssumeRole(role, federatedTrustRequest(who, facts, scope)).allowed;
}

describe('Federated principals name a provider exactly (issue 13, rule 8)', () => {
  it('a bare host names neither of two providers whose issuers have a path on that host', () => {
    expect(allowed(roleTrusting('oidc.example.com'), A)).toBe(false);
    expect(allowed(roleTrusting('oidc.example.com'), B)).toBe(false);
  });

  it("provider A's ARN and issuer-without-scheme admit A and not B", () => {
    for (const name of [
      'arn:fedgate:iam::000000000000:oidc-provider/oidc.example.com/id/A',
      'oidc.example.com/id/A',
      'cluster-a',
    ]) {
      expect(allowed(roleTrusting(name), A)).toBe(true);
      expect(allowed(roleTrusting(name), B)).toBe(false);
    }
  });

  it('an issuer without a path is named by its host, which is then exactly the issuer without scheme', () => {
    expect(allowed(roleTrusting('accounts.example.com'), ROOT)).toBe(true);
  });
});

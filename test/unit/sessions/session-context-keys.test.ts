import { describe, expect, it } from 'vitest';
import { roleIdFor, sessionContextKeys, type RoleSession } from '../../../src/sessions/index.js';
import { T0 } from './session-fixtures.js';

const roleArn = 'arn:fedgate:iam::000000000000:role/Developer';

function session(overrides: Partial<RoleSession> = {}): RoleSession {
  return {
    id: 's1',
    roleName: 'Developer',
    roleArn,
    principalArn: 'arn:fedgate:sts::000000000000:assumed-role/Developer/alice@example.com',
    sessionName: 'alice@example.com',
    provider: 'corp-oidc',
    subject: 'alice',
    tags: { team: 'red' },
    transitiveTagKeys: [],
    mfa: true,
    amr: ['mfa'],
    authTime: T0 / 1000 - 300,
    chain: 0,
    sessionPolicies: [],
    hasSessionPolicy: false,
    audience: 'fedgate',
    accessKeyId: 'FSIAAAAAAAAAAAAAAAAA',
    issuedAt: T0 / 1000 - 60,
    expiresAt: T0 / 1000 + 3540,
    ...overrides,
  };
}

describe('principal context keys of a role session (SPEC 7.5)', () => {
  it('are those AWS sets for an assumed role: PrincipalArn is the role ARN, no aws:username', () => {
    const keys = sessionContextKeys(session({ sourceIdentity: 'alice' }), T0);
    expect(keys).toEqual({
      'aws:PrincipalArn': roleArn,
      'aws:PrincipalAccount': '000000000000',
      'aws:PrincipalType': 'AssumedRole',
      'aws:userid': `${roleIdFor(roleArn)}:alice@example.com`,
      'aws:FederatedProvider': 'corp-oidc',
      'aws:MultiFactorAuthPresent': 'true',
      'aws:MultiFactorAuthAge': '300',
      'aws:TokenIssueTime': '2025-12-31T23:59:00Z',
      'aws:SourceIdentity': 'alice',
      'aws:PrincipalTag/team': 'red',
    });
  });

  it('without MFA there is no aws:MultiFactorAuthAge, and no SourceIdentity when none was set', () => {
    const keys = sessionContextKeys(session({ mfa: false }), T0);
    expect(keys['aws:MultiFactorAuthPresent']).toBe('false');
    expect(keys).not.toHaveProperty('aws:MultiFactorAuthAge');
    expect(keys).not.toHaveProperty('aws:SourceIdentity');
    expect(keys).not.toHaveProperty('aws:username');
  });

  it('the role id is FROA + 17 characters, stable per ARN and different between roles', () => {
    expect(roleIdFor(roleArn)).toMatch(/^FROA[A-Z2-7]{17}$/);
    expect(roleIdFor(roleArn)).toBe(roleIdFor(roleArn));
    expect(roleIdFor('arn:fedgate:iam::000000000000:role/Operator')).not.toBe(roleIdFor(roleArn));
  });
});

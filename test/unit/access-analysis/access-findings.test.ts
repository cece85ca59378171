import { describe, expect, it } from 'vitest';
import { gatewayConfigSchema } from '../../../src/config/index.js';
import { accessFindingsReport } from '../../../src/access-analysis/access-findings-report.js';
import { unusedAccessReport } from '../../../src/access-analysis/unused-access-report.js';
import type { ActivityWindow } from '../../../src/access-analysis/index.js';

const V = '2012-10-17';
const config = gatewayConfigSchema.parse({
  publicUrl: 'https://sso.example.test',
  identityProviders: [
    {
      id: 'ci',
      type: 'oidc',
      issuer: 'https://ci.example.test',
      webIdentityOnly: true,
      audiences: ['fedgate'],
      jwksUri: 'https://ci.example.test/jwks',
    },
  ],
  guardrails: [{ Version: V, Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
  roles: [
    {
      name: 'Wide',
      trustPolicy: {
        Version: V,
        Statement: [
          { Effect: 'Allow', Principal: { Federated: 'ci' }, Action: 'sts:AssumeRoleWithWebIdentity' },
        ],
      },
      inlinePolicies: { All: { Version: V, Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } },
    },
  ],
  resources: [
    {
      arn: 'arn:fedgate:orders:::public/*',
      policy: {
        Version: V,
        Statement: [{ Effect: 'Allow', Principal: '*', Action: 'orders:GetOrder', Resource: '*' }],
      },
    },
    {
      arn: 'arn:fedgate:orders:::shared/*',
      policy: {
        Version: V,
        Statement: [
          { Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'orders:GetOrder', Resource: '*' },
        ],
      },
    },
  ],
});
const empty: ActivityWindow = {
  from: '2026-09-02',
  to: '2026-11-30',
  days: 90,
  roles: [],
  providerLogins: new Map(),
};
const now = Date.parse('2026-11-30T12:00:00Z');

describe('access findings on a purpose-built configuration', () => {
  const report = accessFindingsReport(config, unusedAccessReport(config, empty, now), empty);

  it('reports each kind once, most severe first, with resource and path', () => {
    expect(report.findings.map((f) => [f.severity, f.type, f.resource, f.path])).toEqual([
      [
        'critical',
        'ResourcePolicyPublic',
        'arn:fedgate:orders:::public/*',
        'resources[0].policy.Statement[0]',
      ],
      ...[
        [
          'high',
          'ResourcePolicyCrossAccount',
          'arn:fedgate:orders:::shared/*',
          'resources[1].policy.Statement[0]',
        ],
        [
          'high',
          'TrustPolicyAnySubject',
          'arn:fedgate:iam::000000000000:role/Wide',
          'roles[0].trustPolicy.Statement[0]',
        ],
        [
          'high',
          'RoleWildcardActionOnAnyResource',
          'arn:fedgate:iam::000000000000:role/Wide',
          'roles[0].inlinePolicies.All.Statement[0]',
        ],
      ].sort((a, b) =>
        report.findings.find((f) => f.type === a[1])!.id < report.findings.find((f) => f.type === b[1])!.id
          ? -1
          : 1,
      ),
      ['medium', 'RoleUnused', 'arn:fedgate:iam::000000000000:role/Wide', 'roles[0]'],
      ...[
        ['low', 'GuardrailAllowsAll', 'arn:fedgate:fedgate::000000000000:guardrail/0', 'guardrails[0]'],
        ['low', 'UnusedActions', 'arn:fedgate:iam::000000000000:role/Wide', 'roles[0]'],
      ].sort((a, b) =>
        report.findings.find((f) => f.type === a[1])!.id < report.findings.find((f) => f.type === b[1])!.id
          ? -1
          : 1,
      ),
    ]);
    for (const f of report.findings) expect(f.suggestedFix.length).toBeGreaterThan(10);
  });

  it('ids are stable across runs and distinct', () => {
    const again = accessFindingsReport(config, unusedAccessReport(config, empty, now), empty);
    expect(again.findings.map((f) => f.id)).toEqual(report.findings.map((f) => f.id));
    expect(new Set(report.findings.map((f) => f.id)).size).toBe(report.findings.length);
  });

  it('a trust policy with a subject condition and a resource policy with a condition are not findings', () => {
    const fixed = gatewayConfigSchema.parse({
      publicUrl: 'https://sso.example.test',
      roles: [
        {
          name: 'Narrow',
          trustPolicy: {
            Version: V,
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Federated: 'ci' },
                Action: 'sts:AssumeRoleWithWebIdentity',
                Condition: { StringEquals: { 'ci:sub': 'repo:acme/api' } },
              },
            ],
          },
        },
      ],
      resources: [
        {
          arn: 'arn:fedgate:orders:::public/*',
          policy: {
            Version: V,
            Statement: [
              {
                Effect: 'Allow',
                Principal: '*',
                Action: 'orders:GetOrder',
                Resource: '*',
                Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
              },
            ],
          },
        },
      ],
    });
    const types = accessFindingsReport(fixed, unusedAccessReport(fixed, empty, now), empty).findings.map(
      (f) => f.type,
    );
    expect(types).toEqual(['RoleUnused']);
  });
});

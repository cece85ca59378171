import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  checkConfigPolicies,
  collectConfigPolicies,
  loadConfig,
} from '../../../src/config/index.js';
import { createConfigDir, MINIMAL_CONFIG, type ConfigDir } from '../../fixtures/config/config-dir.js';

const DOC =
  '{ Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "orders:GetOrder", Resource: "*" }] }';
const RESOURCE_DOC =
  '{ Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: "*", Action: "orders:GetOrder", Resource: "*" }] }';

let dir: ConfigDir | undefined;
afterEach(async () => {
  await dir?.remove();
  dir = undefined;
});

describe('collectConfigPolicies', () => {
  it('finds every policy with its path and the kind its use implies', async () => {
    dir = await createConfigDir({
      'gateway.yaml': `${MINIMAL_CONFIG.replace('- name: Reader', '- policies: [Attached]\n    permissionsBoundary: OnlyBoundary\n    inlinePolicies: { Inline: ' + DOC + ' }\n    name: Reader')}policies:
  Attached: ${DOC}
  OnlyBoundary: ${DOC}
guardrails: [${DOC}]
resources:
  - { arn: "arn:fedgate:orders:::order/*", policy: ${RESOURCE_DOC} }
`,
    });
    const config = await loadConfig(dir.path('gateway.yaml'), { env: {} });
    expect(collectConfigPolicies(config).map(({ path, kind }) => [path, kind])).toEqual([
      ['policies.Attached', 'identity'],
      ['policies.OnlyBoundary', 'boundary'],
      ['guardrails[0]', 'guardrail'],
      ['roles[0].trustPolicy', 'trust'],
      ['roles[0].inlinePolicies.Inline', 'identity'],
      ['resources[0].policy', 'resource'],
    ]);
  });
});

describe('checkConfigPolicies', () => {
  it('prefixes each finding with the config path of its policy', async () => {
    dir = await createConfigDir({ 'gateway.yaml': MINIMAL_CONFIG });
    const config = await loadConfig(dir.path('gateway.yaml'), { env: {} });
    const broken = {
      ...config,
      roles: [
        { ...config.roles[0]!, trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Perhaps' }] } },
      ],
      guardrails: [{ Version: '2012-10-17', Statement: { Effect: 'Allow', Resource: '*' } }],
    };
    const findings = checkConfigPolicies(broken);
    const errors = findings.filter((finding) => finding.severity === 'error');
    expect(errors.some((finding) => finding.path.startsWith('roles[0].trustPolicy.Statement'))).toBe(true);
    expect(errors.some((finding) => finding.path.startsWith('guardrails[0].Statement'))).toBe(true);
    for (const finding of errors)
      expect(finding.path).toMatch(/^(roles\[0\]\.trustPolicy|guardrails\[0\])\./);
  });

  it('finds no error in a valid configuration', async () => {
    dir = await createConfigDir({ 'gateway.yaml': MINIMAL_CONFIG });
    const config = await loadConfig(dir.path('gateway.yaml'), { env: {} });
    expect(checkConfigPolicies(config).filter((finding) => finding.severity === 'error')).toEqual([]);
  });
});

describe('Federated principals in configured trust policies (issue 13, rule 8)', () => {
  // Two providers on one host: before issue 13 the bare host named both, so either could assume the role.
  const withTrust = (federated: string) => `publicUrl: https://sso.example.com/
identityProviders:
  - { id: team-a, type: oidc, issuer: https://oidc.example.com/id/A, clientId: a }
  - { id: team-b, type: oidc, issuer: https://oidc.example.com/id/B, clientId: b }
roles:
  - name: Reader
    trustPolicy: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Federated: "${federated}" }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { "oidc.example.com/id/A:aud": fedgate } } }] }
`;

  it('a bare host that is not exactly an issuer without scheme is a configuration error', async () => {
    dir = await createConfigDir({ 'gateway.yaml': withTrust('oidc.example.com') });
    const error = await loadConfig(dir.path('gateway.yaml'), { env: {} }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      expect.objectContaining({
        path: 'roles[0].trustPolicy.Statement[0].Principal.Federated',
        message: expect.stringContaining('(InvalidFederatedPrincipal)'),
      }),
    ]);
  });

  it.each([
    'team-a',
    'oidc.example.com/id/A',
    'arn:fedgate:iam::000000000000:oidc-provider/oidc.example.com/id/A',
  ])('%s names provider A and loads', async (federated) => {
    dir = await createConfigDir({ 'gateway.yaml': withTrust(federated) });
    await expect(loadConfig(dir.path('gateway.yaml'), { env: {} })).resolves.toBeDefined();
  });
});

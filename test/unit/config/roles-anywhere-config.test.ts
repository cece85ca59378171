import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import { createConfigDir, TRUST_POLICY_YAML, type ConfigDir } from '../../fixtures/config/config-dir.js';
import { createRootCa, issueEndEntity, type IssuedCertificate, type TestCa } from '../../support/x509-pki.js';

/* `trustAnchors[]` and `profiles[]`: defaults, ARN-free ids, and every mistake reported with its path. */

let ca: TestCa;
let leaf: IssuedCertificate;
let dirs: ConfigDir[] = [];

beforeAll(() => {
  const base = mkdtempSync(join(tmpdir(), 'fedgate-config-pki-'));
  ca = createRootCa(base, 'root', '/O=Example/CN=Config Test Root');
  leaf = issueEndEntity(ca, { name: 'leaf', subject: '/CN=not-a-ca' });
}, 60_000);

afterEach(async () => {
  await Promise.all(dirs.map((dir) => dir.remove()));
  dirs = [];
});

function yaml(anchors: string, profiles: string): string {
  return `publicUrl: https://sso.example.com
policies:
  ReadOnly: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "orders:Get*", Resource: "*" }] }
roles:
  - name: Deployer
    trustPolicy: ${TRUST_POLICY_YAML}
trustAnchors:
${anchors}
profiles:
${profiles}
`;
}

async function load(text: string, files: Record<string, string>) {
  const dir = await createConfigDir({ 'gateway.yaml': text, ...files });
  dirs.push(dir);
  return { dir, config: () => loadConfig(dir.path('gateway.yaml'), { env: {} }) };
}

async function issuesOf(text: string, files: Record<string, string>) {
  const { config } = await load(text, files);
  const error = await config().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).issues.map(({ path, message }) => ({ path, message }));
}

describe('trustAnchors and profiles', () => {
  it("resolves AWS's defaults: enabled, 1 h, default attribute mapping, CRL paths relative to the config", async () => {
    const { dir, config } = await load(
      yaml(
        '  - { id: corp, certificates: { file: ca.pem }, crls: [crl/issuing.crl, "http://127.0.0.1:9/x.crl"] }',
        '  - { id: workloads, roles: [Deployer], managedPolicies: [ReadOnly] }',
      ),
      { 'ca.pem': ca.certPem },
    );
    const loaded = await config();
    expect(loaded.trustAnchors[0]).toMatchObject({
      id: 'corp',
      enabled: true,
      crlRefresh: 3600,
      crls: [dir.path('crl/issuing.crl'), 'http://127.0.0.1:9/x.crl'],
    });
    expect(loaded.trustAnchors[0]?.certificates).toHaveLength(1);
    expect(loaded.profiles[0]).toMatchObject({
      enabled: true,
      durationSeconds: 3600,
      acceptRoleSessionName: false,
      requireInstanceProperties: false,
      attributeMapping: { x509Subject: ['*'], x509Issuer: ['*'], x509SAN: ['DNS', 'URI', 'Name/*'] },
    });
  });

  it('reports a non-CA certificate in a bundle, an unknown role or policy, a duplicate id and a long duration', async () => {
    const issues = await issuesOf(
      yaml(
        `  - { id: corp, certificates: { file: bundle.pem } }
  - { id: corp, certificates: { file: ca.pem }, crls: ["ftp://example.com/x.crl"] }`,
        `  - { id: workloads, roles: [Deployer, Ghost], managedPolicies: [Nope], durationSeconds: 13h }`,
      ),
      { 'bundle.pem': ca.certPem + leaf.certPem, 'ca.pem': ca.certPem },
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'trustAnchors[0].certificates', message: 'certificate 2 is not a CA certificate' },
        { path: 'trustAnchors[1].crls[0]', message: 'must be a file path or an http(s) URL' },
        expect.objectContaining({ path: 'trustAnchors[1].id' }),
        { path: 'profiles[0].roles[1]', message: 'role "Ghost" is not defined in roles' },
        { path: 'profiles[0].managedPolicies[0]', message: 'policy "Nope" is not defined in policies' },
        expect.objectContaining({ path: 'profiles[0].durationSeconds' }),
      ]),
    );
  });

  it('validates a profile session policy as a session policy', async () => {
    const issues = await issuesOf(
      yaml(
        '  - { id: corp, certificates: { file: ca.pem } }',
        '  - { id: workloads, roles: [Deployer], sessionPolicy: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "orders:Get*" }] } }',
      ),
      { 'ca.pem': ca.certPem },
    );
    expect(issues.some((issue) => issue.path.startsWith('profiles[0].sessionPolicy'))).toBe(true);
  });

  it('a profile session policy written as a JSON string goes through the strict parser (issue 13)', async () => {
    // JSON.parse kept the last of two "Effect"s, so this Deny loaded as an Allow.
    const duplicate =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"orders:*","Resource":"*","Effect":"Allow"}]}';
    const issues = await issuesOf(
      yaml(
        '  - { id: corp, certificates: { file: ca.pem } }',
        `  - { id: workloads, roles: [Deployer], sessionPolicy: '${duplicate}' }`,
      ),
      { 'ca.pem': ca.certPem },
    );
    expect(issues).toEqual([
      { path: 'profiles[0].sessionPolicy', message: expect.stringMatching(/^invalid policy JSON: .*Effect/) },
    ]);
  });
});

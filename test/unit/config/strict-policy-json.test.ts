import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type ConfigIssue } from '../../../src/config/index.js';
import { createConfigDir, type ConfigDir } from '../../fixtures/config/config-dir.js';

/*
 * Issue 13, "Strict JSON on the configuration path": every policy document the configuration holds is parsed by
 * the policy engine's strict parser. JSON.parse keeps the last of two "Effect" keys, so a Deny written first and
 * an Allow written second silently became an Allow; each case below loaded before the change.
 */

let dirs: ConfigDir[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((dir) => dir.remove()));
  dirs = [];
});

const TRUST = `{ Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Federated: corp }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { "corp:aud": fedgate } } }] }`;
const DUPLICATE_EFFECT_JSON =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"orders:*","Resource":"*","Effect":"Allow"}]}';

async function issuesOf(files: Record<string, string>): Promise<readonly ConfigIssue[]> {
  const dir = await createConfigDir(files);
  dirs.push(dir);
  const main = Object.keys(files)[0] as string;
  try {
    await loadConfig(dir.path(main), { env: {} });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

function gateway(policy: string): string {
  return `publicUrl: https://sso.example.com/
roles:
  - name: Reader
    trustPolicy: ${TRUST}
    policies: [Orders]
policies:
  Orders: ${policy}
`;
}

describe('one strict JSON parser for every policy document the configuration loads', () => {
  it('duplicate "Effect" in a policy written as a JSON string inside YAML is an error', async () => {
    const issues = await issuesOf({ 'gateway.yaml': gateway(`'${DUPLICATE_EFFECT_JSON}'`) });
    expect(issues).toEqual([
      expect.objectContaining({ path: 'policies.Orders', message: expect.stringMatching(/Effect/) }),
    ]);
  });

  it('duplicate "Effect" in a policy file referenced with { file: x.json } is an error', async () => {
    const issues = await issuesOf({
      'gateway.yaml': gateway('{ file: orders.json }'),
      'orders.json': DUPLICATE_EFFECT_JSON,
    });
    expect(issues).toEqual([
      expect.objectContaining({
        path: 'policies.Orders',
        message: expect.stringMatching(/orders\.json is not valid JSON: .*Effect/),
      }),
    ]);
  });

  it('duplicate "Effect" in a configuration file written in JSON is an error', async () => {
    const config = {
      publicUrl: 'https://sso.example.com/',
      roles: [
        {
          name: 'Reader',
          trustPolicy: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Federated: 'corp' },
                Action: 'sts:AssumeRoleWithWebIdentity',
                Condition: { StringEquals: { 'corp:aud': 'fedgate' } },
              },
            ],
          },
          policies: ['Orders'],
        },
      ],
    };
    const text = JSON.stringify(config).replace(
      '"policies":["Orders"]}]',
      `"policies":["Orders"]}],"policies":{"Orders":${DUPLICATE_EFFECT_JSON}}`,
    );
    const issues = await issuesOf({ 'gateway.json': text });
    expect(issues).toEqual([
      expect.objectContaining({ path: '', message: expect.stringMatching(/^invalid JSON: .*Effect/) }),
    ]);
  });

  it('duplicate keys in YAML (a policy written as a YAML mapping) are an error', async () => {
    const issues = await issuesOf({
      'gateway.yaml': gateway(`
    Version: "2012-10-17"
    Statement:
      - Effect: Deny
        Action: "orders:*"
        Resource: "*"
        Effect: Allow`),
    });
    expect(issues).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/invalid YAML.*unique/i) }),
    ]);
  });

  it('duplicate keys in a YAML flow mapping (JSON-looking policy inside YAML) are an error', async () => {
    const issues = await issuesOf({
      'gateway.yaml': gateway(
        `{ Version: "2012-10-17", Statement: [{ Effect: Deny, Action: "orders:*", Resource: "*", Effect: Allow }] }`,
      ),
    });
    expect(issues).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/invalid YAML.*unique/i) }),
    ]);
  });

  it('a well-formed JSON policy string still loads, its numbers and strings unchanged', async () => {
    const dir = await createConfigDir({
      'gateway.yaml': gateway(
        `'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"orders:Get*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":3600}}}]}'`,
      ),
    });
    dirs.push(dir);
    const config = await loadConfig(dir.path('gateway.yaml'), { env: {} });
    expect(config.policies['Orders']).toMatchObject({
      Statement: [{ Effect: 'Allow', Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': 3600 } } }],
    });
  });
});

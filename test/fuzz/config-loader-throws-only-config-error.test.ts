import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { fuzzParameters } from './fuzz-inputs.js';

/*
 * Issue 8 / SPEC 3: the configuration loader refuses any file it cannot use with a ConfigError listing the
 * issues: random YAML and JSON, a valid configuration with a value replaced or removed anywhere, YAML text with
 * characters inserted, `${VAR}` substitutions and `{ file: … }` references pointing anywhere.
 */

const VALID: Record<string, unknown> = {
  publicUrl: 'https://sso.example.com',
  listen: { host: '127.0.0.1', port: 8080 },
  store: { kind: 'memory' },
  sessions: { defaultDuration: '1h' },
  identityProviders: [
    {
      id: 'corp',
      type: 'oidc',
      issuer: 'https://idp.example.com',
      webIdentityOnly: true,
      audiences: ['fedgate'],
    },
  ],
  policies: {
    Read: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'orders:Get*', Resource: '*' }] },
  },
  roles: [
    {
      name: 'Developer',
      maxSessionDuration: '4h',
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Federated: 'corp' }, Action: 'sts:AssumeRoleWithWebIdentity' },
        ],
      },
      policies: ['Read'],
    },
  ],
  routes: [
    {
      host: 'orders.test',
      methods: ['GET'],
      path: '/orders/:id',
      action: 'orders:GetOrder',
      resource: 'arn:fedgate:orders:::order/${id}',
    },
  ],
  clients: [{ id: 'reports-app', secret: 'reports-secret', audiences: ['reports-api'] }],
};

let dir: string;
let counter = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fedgate-config-fuzz-'));
  await writeFile(join(dir, 'policy.json'), '{"Version":"2012-10-17","Statement":[]}');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(text: string, extension: 'yaml' | 'json'): Promise<unknown> {
  const path = join(dir, `gateway-${counter++}.${extension}`);
  await writeFile(path, text);
  try {
    return await loadConfig(path, { env: { SET: 'value', EMPTY: '' } });
  } finally {
    await rm(path, { force: true });
  }
}

async function expectConfigErrorOnly(text: string, extension: 'yaml' | 'json'): Promise<void> {
  try {
    await load(text, extension);
  } catch (error) {
    expect(error, `${String(error)} for ${text.slice(0, 300)}`).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.length).toBeGreaterThan(0);
  }
}

/** Every path to a value of the valid document. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const paths: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((item, i) => paths.push(...pathsOf(item, [...prefix, i])));
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]));
  return paths;
}
const PATHS = pathsOf(VALID).filter((path) => path.length > 0);

function withValueAt(path: readonly (string | number)[], value: unknown, remove: boolean): unknown {
  const copy = structuredClone(VALID) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  const last = path.at(-1) ?? '';
  if (remove) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = value;
  return copy;
}

const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    '${UNSET}',
    '${SET}',
    '${EMPTY:-}',
    '${UNSET:-${SET}}',
    '${',
    '$${SET}',
    { file: 'policy.json' },
    { file: '../../../../etc/passwd' },
    { file: '/nonexistent/x.pem' },
    { file: '.' },
    { file: 42 },
    '15m',
    '-1h',
    '1e309',
    99_999_999_999,
    'redis://[::1',
  ),
);

const mutatedDocument = fc
  .tuple(fc.constantFrom(...PATHS), hostileValue, fc.boolean())
  .map(([path, value, remove]) => withValueAt(path, value, remove));

describe('the configuration loader throws only ConfigError', () => {
  it('a valid configuration with one value replaced or removed anywhere (YAML and JSON)', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedDocument, fc.boolean(), async (document, asJson) => {
        await expectConfigErrorOnly(
          asJson ? JSON.stringify(document) : stringify(document),
          asJson ? 'json' : 'yaml',
        );
      }),
      fuzzParameters(200),
    );
  });

  it('random YAML and JSON documents, random text, and the valid YAML with characters inserted', async () => {
    const yaml = stringify(VALID);
    const text = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((value) => stringify(value)),
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value) ?? ''),
      fc.string({ maxLength: 300 }),
      fc
        .tuple(
          fc.nat(),
          fc.constantFrom(
            ':',
            '- ',
            '\n',
            '  ',
            '{',
            '[',
            '&a',
            '*a',
            '!!binary',
            '<<: *a',
            '"',
            "'",
            '#',
            '\t',
            '${X',
            '%YAML 1.2\n---\n',
          ),
        )
        .map(([at, inserted]) => {
          const index = at % (yaml.length + 1);
          return `${yaml.slice(0, index)}${inserted}${yaml.slice(index)}`;
        }),
      fc.constantFrom(
        'a: &a [*a]',
        `x: &a ["lol","lol"]\ny: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nz: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nw: [*c,*c,*c,*c,*c,*c,*c,*c,*c]`,
        '!!js/function "function(){}"',
        '---\n---\n',
        '',
      ),
    );
    await fc.assert(
      fc.asyncProperty(text, fc.boolean(), async (content, asJson) => {
        await expectConfigErrorOnly(content, asJson ? 'json' : 'yaml');
      }),
      fuzzParameters(200),
    );
  });

  it('the valid configuration loads (the properties are not vacuous)', async () => {
    await expect(load(stringify(VALID), 'yaml')).resolves.toBeTypeOf('object');
  });
});

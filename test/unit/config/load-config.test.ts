import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  ConfigError,
  loadConfig,
  type ConfigIssue,
  type GatewayConfig,
  type OidcProviderConfig,
  type RoleConfig,
} from '../../../src/config/index.js';
import {
  createConfigDir,
  MINIMAL_CONFIG,
  TRUST_POLICY_YAML,
  type ConfigDir,
} from '../../fixtures/config/config-dir.js';

const CERT_FIXTURE = fileURLToPath(new URL('../../fixtures/config/idp-cert.pem', import.meta.url));

let dirs: ConfigDir[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((dir) => dir.remove()));
  dirs = [];
});

async function load(yaml: string, env: NodeJS.ProcessEnv = {}, extra: Record<string, string> = {}) {
  const dir = await createConfigDir({ 'gateway.yaml': yaml, ...extra });
  dirs.push(dir);
  return loadConfig(dir.path('gateway.yaml'), { env });
}

async function issuesOf(yaml: string, env: NodeJS.ProcessEnv = {}, extra: Record<string, string> = {}) {
  try {
    await load(yaml, env, extra);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    // Where each issue was written is asserted by the validate tests; here, the path and the message.
    return (error as ConfigError).issues.map(({ path, message }) => ({ path, message }));
  }
  throw new Error('expected a ConfigError');
}

function paths(issues: readonly ConfigIssue[]): string[] {
  return issues.map((issue) => issue.path);
}

describe('defaults and resolution', () => {
  it('resolves the SPEC defaults and every duration to seconds', async () => {
    const config = await load(MINIMAL_CONFIG);
    expect(config.publicUrl).toBe('https://sso.example.com');
    expect(config.partition).toBe('fedgate');
    expect(config.account).toBe('000000000000');
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.store).toEqual({ kind: 'memory', keyPrefix: 'fedgate:' });
    expect(config.signing.algorithm).toBe('ES256');
    expect(config.sessions).toEqual({
      defaultDuration: 3600,
      portalDuration: 28_800,
      chainedMaxDuration: 3600,
    });
    expect(config.cookies.secure).toBe(true);
    expect(config.audit.sinks).toEqual([{ kind: 'stdout' }]);
    expect(config.authorizer).toEqual({ cacheMaxEntries: 10_000, cacheTtl: 30, explainDenials: true });
    expect(config.rateLimits.login.duration).toBe(60);
    expect(config.log).toEqual({ level: 'info', authzAccessSample: 0 });
  });

  it("defaults a role's maxSessionDuration to sessions.defaultDuration", async () => {
    const config = await load(`${MINIMAL_CONFIG}sessions: { defaultDuration: 2h }\n`);
    expect(config.roles[0]?.maxSessionDuration).toBe(7200);
  });

  it("defaults an OIDC provider's audiences to its clientId", async () => {
    const config = await load(`${MINIMAL_CONFIG}identityProviders:
  - { id: google, type: oidc, issuer: https://accounts.google.com, clientId: abc }
`);
    const provider = config.identityProviders[0];
    expect(provider?.type === 'oidc' && provider.audiences).toEqual(['abc']);
    expect(provider?.type === 'oidc' && provider.allowedAlgorithms).not.toContain('none');
  });

  it('resolves signing.keyFile and audit file paths relative to the config file', async () => {
    const dir = await createConfigDir({
      'gateway.yaml': `${MINIMAL_CONFIG}signing: { keyFile: keys/signing.json }\naudit: { sinks: [{ kind: file, path: audit.log }] }\n`,
    });
    dirs.push(dir);
    const config = await loadConfig(dir.path('gateway.yaml'), { env: {} });
    expect(config.signing.keyFile).toBe(dir.path('keys/signing.json'));
    expect(config.audit.sinks).toEqual([{ kind: 'file', path: dir.path('audit.log') }]);
  });

  it('types resolved defaults as present and durations as seconds', () => {
    expectTypeOf<RoleConfig['maxSessionDuration']>().toEqualTypeOf<number>();
    expectTypeOf<OidcProviderConfig['audiences']>().toEqualTypeOf<readonly string[]>();
    expectTypeOf<GatewayConfig['sessions']['portalDuration']>().toEqualTypeOf<number>();
  });

  it('reads a JSON configuration file', async () => {
    const dir = await createConfigDir({
      'gateway.json': JSON.stringify({
        publicUrl: 'https://sso.example.com',
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
                },
              ],
            },
          },
        ],
      }),
    });
    dirs.push(dir);
    const config = await loadConfig(dir.path('gateway.json'), { env: {} });
    expect(config.roles[0]?.name).toBe('Reader');
  });
});

describe('unknown keys', () => {
  it('rejects an unknown top-level key with its path', async () => {
    const issues = await issuesOf(`${MINIMAL_CONFIG}listne: { port: 1 }\n`);
    expect(issues).toContainEqual({ path: 'listne', message: 'unknown key. Did you mean "listen"?' });
  });

  it('rejects an unknown nested key with its path', async () => {
    const issues = await issuesOf(`publicUrl: https://sso.example.com
roles:
  - name: Reader
    trustPolicy: ${TRUST_POLICY_YAML}
  - name: Writer
    trustpolicy: ${TRUST_POLICY_YAML}
`);
    expect(paths(issues)).toContain('roles[1].trustpolicy');
    expect(paths(issues)).toContain('roles[1].trustPolicy');
  });
});

describe('every error at once', () => {
  it('reports an unknown key, a bad duration and an undefined policy reference together', async () => {
    const issues = await issuesOf(`publicUrl: https://sso.example.com
colour: blue
sessions: { defaultDuration: 1 hour }
roles:
  - name: Reader
    trustPolicy: ${TRUST_POLICY_YAML}
    policies: [NoSuchPolicy]
`);
    expect(paths(issues)).toEqual(
      expect.arrayContaining(['colour', 'sessions.defaultDuration', 'roles[0].policies[0]']),
    );
  });

  it('throws a ConfigError with the stable InvalidConfiguration code', async () => {
    await expect(load('publicUrl: 3\n')).rejects.toMatchObject({ code: 'InvalidConfiguration' });
  });

  it('reports a YAML syntax error with its line and column as a location', async () => {
    const dir = await createConfigDir({
      'gateway.yaml': 'publicUrl: https://sso.example.com\npublicUrl: https://again.example.com\n',
    });
    dirs.push(dir);
    const error = await loadConfig(dir.path('gateway.yaml'), { env: {} }).catch((caught: unknown) => caught);
    expect((error as ConfigError).issues[0]?.location).toMatchObject({
      file: dir.path('gateway.yaml'),
      line: 2,
      column: 1,
    });
  });

  it('reports a YAML syntax error with its line', async () => {
    const issues = await issuesOf('publicUrl: [unclosed\n');
    expect(issues[0]?.message).toMatch(/^invalid YAML: /);
    expect(issues[0]?.message).not.toMatch(/line \d+/);
  });

  it('reports a missing config file', async () => {
    await expect(loadConfig('/nonexistent/fedgate.yaml', { env: {} })).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('environment substitution', () => {
  it('substitutes ${VAR} from the given environment', async () => {
    const config = await load(MINIMAL_CONFIG.replace('https://sso.example.com/', '${PUBLIC_URL}'), {
      PUBLIC_URL: 'https://login.example.org',
    });
    expect(config.publicUrl).toBe('https://login.example.org');
  });

  it('uses the default of ${VAR:-default} when the variable is unset or empty', async () => {
    const yaml = `${MINIMAL_CONFIG}listen: { port: "\${PORT:-9090}" }\n`;
    expect((await load(yaml)).listen.port).toBe(9090);
    expect((await load(yaml, { PORT: '' })).listen.port).toBe(9090);
    expect((await load(yaml, { PORT: '7000' })).listen.port).toBe(7000);
  });

  it('reports an unset variable without default at its path', async () => {
    const issues = await issuesOf(`${MINIMAL_CONFIG}identityProviders:
  - { id: google, type: oidc, issuer: https://accounts.google.com, clientId: "\${GOOGLE_CLIENT_ID}" }
`);
    expect(issues).toEqual([
      {
        path: 'identityProviders[0].clientId',
        message: expect.stringContaining('GOOGLE_CLIENT_ID is not set') as string,
      },
    ]);
  });

  it('leaves policy variables and route parameters literal', async () => {
    const config = await load(
      `${MINIMAL_CONFIG}policies:
  Team: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "orders:*", Resource: "arn:fedgate:orders:::order/\${aws:PrincipalTag/team}" }] }
routes:
  - { host: orders.example.com, path: "/orders/:orderId", action: "orders:GetOrder", resource: "arn:fedgate:orders:::order/\${orderId}" }
`,
      { orderId: 'from-env' },
    );
    expect(JSON.stringify(config.policies.Team)).toContain('${aws:PrincipalTag/team}');
    expect(config.routes[0]?.resource).toBe('arn:fedgate:orders:::order/${orderId}');
  });

  it('turns $${ into a literal ${', async () => {
    const config = await load(`${MINIMAL_CONFIG}portal: { title: "cost $\${NOT_A_VAR}" }\n`);
    expect(config.portal.title).toBe('cost ${NOT_A_VAR}');
  });
});

describe('file references', () => {
  it('reads { file } relative to the config file, parsing .json and keeping PEM text', async () => {
    const pem = await readFile(CERT_FIXTURE, 'utf8');
    const config = await load(
      `${MINIMAL_CONFIG}policies:
  ReadOnly: { file: policies/read-only.json }
identityProviders:
  - id: corp
    type: saml
    issuer: https://idp.example.com/metadata
    entryPoint: https://idp.example.com/sso
    idpCertificates: [{ file: certs/idp.pem }]
`,
      {},
      {
        'policies/read-only.json': JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'orders:GetOrder', Resource: '*' }],
        }),
        'certs/idp.pem': pem,
      },
    );
    expect(config.policies.ReadOnly).toMatchObject({ Version: '2012-10-17' });
    const provider = config.identityProviders[0];
    expect(provider?.type === 'saml' && provider.idpCertificates[0]).toBe(`${pem.trim()}\n`);
  });

  it('reports a missing referenced file at its path', async () => {
    const issues = await issuesOf(`${MINIMAL_CONFIG}policies:
  ReadOnly: { file: policies/missing.json }
`);
    expect(issues).toEqual([
      {
        path: 'policies.ReadOnly',
        message: expect.stringContaining('policies/missing.json (ENOENT)') as string,
      },
    ]);
  });

  it('reports a referenced .json file that is not JSON', async () => {
    const issues = await issuesOf(
      `${MINIMAL_CONFIG}policies:\n  Bad: { file: bad.json }\n`,
      {},
      { 'bad.json': '{ nope' },
    );
    expect(paths(issues)).toEqual(['policies.Bad']);
  });

  it('rejects a certificate that does not parse without echoing its content', async () => {
    const issues = await issuesOf(`${MINIMAL_CONFIG}identityProviders:
  - { id: corp, type: saml, issuer: https://idp.example.com, entryPoint: https://idp.example.com/sso, idpCertificates: ["TOPSECRETNOTACERT"] }
`);
    expect(paths(issues)).toEqual(['identityProviders[0].idpCertificates[0]']);
    expect(JSON.stringify(issues)).not.toContain('TOPSECRET');
  });
});

describe('durations', () => {
  it.each([
    ['900', 900],
    ['"900"', 900],
    ['15m', 900],
    ['1h', 3600],
    ['1h30m', 5400],
    ['12h', 43_200],
  ])('accepts maxSessionDuration %s as %i seconds', async (written, seconds) => {
    const config = await load(
      MINIMAL_CONFIG.replace('- name: Reader', `- maxSessionDuration: ${written}\n    name: Reader`),
    );
    expect(config.roles[0]?.maxSessionDuration).toBe(seconds);
  });

  it('accepts days for the signing key rotation interval', async () => {
    expect(
      (await load(`${MINIMAL_CONFIG}signing: { rotationInterval: 7d }\n`)).signing.rotationInterval,
    ).toBe(604_800);
  });

  it.each(['13h', '10m', 'soon', '-5'])('rejects maxSessionDuration %s with its path', async (written) => {
    const issues = await issuesOf(
      MINIMAL_CONFIG.replace('- name: Reader', `- maxSessionDuration: "${written}"\n    name: Reader`),
    );
    expect(paths(issues)).toEqual(['roles[0].maxSessionDuration']);
  });
});

describe('names and cross-references', () => {
  it('rejects a role name outside [A-Za-z0-9+=,.@_-]{1,64}', async () => {
    const issues = await issuesOf(MINIMAL_CONFIG.replace('name: Reader', 'name: "Read er"'));
    expect(paths(issues)).toEqual(['roles[0].name']);
  });

  it('rejects duplicate role names', async () => {
    const issues = await issuesOf(
      `${MINIMAL_CONFIG}  - name: Reader\n    trustPolicy: ${TRUST_POLICY_YAML}\n`,
    );
    expect(issues).toContainEqual({
      path: 'roles[1].name',
      message: expect.stringContaining('roles[0]') as string,
    });
  });

  it('rejects a permissions boundary that is not a managed policy', async () => {
    const issues = await issuesOf(
      MINIMAL_CONFIG.replace('- name: Reader', '- permissionsBoundary: Nope\n    name: Reader'),
    );
    expect(paths(issues)).toEqual(['roles[0].permissionsBoundary']);
  });

  it('rejects more than 10 managed policies on a role', async () => {
    const names = Array.from({ length: 11 }, (_, i) => `P${i}`);
    const policies = names
      .map(
        (name) =>
          `  ${name}: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "a:b", Resource: "*" }] }`,
      )
      .join('\n');
    const issues = await issuesOf(
      `${MINIMAL_CONFIG.replace('- name: Reader', `- policies: [${names.join(', ')}]\n    name: Reader`)}policies:\n${policies}\n`,
    );
    expect(paths(issues)).toEqual(['roles[0].policies']);
  });

  it('rejects a route resource that names a parameter the path does not have', async () => {
    const issues = await issuesOf(`${MINIMAL_CONFIG}routes:
  - { host: orders.example.com, path: "/orders/:id", action: "orders:GetOrder", resource: "arn:fedgate:orders:::order/\${orderId}" }
`);
    expect(paths(issues)).toEqual(['routes[0].resource']);
  });
});

describe('exactly-one-of rules', () => {
  it('requires exactly one of url, sentinels or cluster for a redis store', async () => {
    const issues = await issuesOf(`${MINIMAL_CONFIG}store:
  kind: redis
  url: redis://127.0.0.1:6379
  cluster: [{ host: 127.0.0.1, port: 7000 }]
`);
    expect(paths(issues)).toEqual(['store']);
    const config = await load(
      `${MINIMAL_CONFIG}store: { kind: redis, sentinels: [{ host: s1, port: 26379 }], sentinelName: main }\n`,
    );
    expect(config.store.kind === 'redis' && config.store.keyPrefix).toBe('fedgate:');
  });

  it('requires exactly one client authentication method', async () => {
    const issues = await issuesOf(`${MINIMAL_CONFIG}clients:
  - { id: app, audiences: [api] }
  - { id: app2, secret: s, jwksUri: "https://app.example.com/jwks", audiences: [api] }
`);
    expect(paths(issues)).toEqual(['clients[0]', 'clients[1]']);
  });

  it('requires entryPoint and certificates, or metadataUrl, for a SAML provider', async () => {
    const issues = await issuesOf(`${MINIMAL_CONFIG}identityProviders:
  - { id: corp, type: saml, issuer: https://idp.example.com }
`);
    expect(paths(issues)).toEqual([
      'identityProviders[0].entryPoint',
      'identityProviders[0].idpCertificates',
    ]);
    await expect(
      load(`${MINIMAL_CONFIG}identityProviders:
  - { id: corp, type: saml, issuer: https://idp.example.com, metadataUrl: https://idp.example.com/metadata }
`),
    ).resolves.toBeDefined();
  });

  it('requires a clientId unless the OIDC provider is webIdentityOnly', async () => {
    const issues = await issuesOf(`${MINIMAL_CONFIG}identityProviders:
  - { id: corp, type: oidc, issuer: https://idp.example.com }
  - { id: gha, type: oidc, issuer: https://token.actions.githubusercontent.com, webIdentityOnly: true, audiences: [fedgate] }
`);
    expect(paths(issues)).toEqual(['identityProviders[0].clientId']);
  });

  it.each(['none', 'HS256'])('refuses the token algorithm %s', async (alg) => {
    const issues = await issuesOf(`${MINIMAL_CONFIG}identityProviders:
  - { id: corp, type: oidc, issuer: https://idp.example.com, clientId: c, allowedAlgorithms: [RS256, ${alg}] }
`);
    expect(paths(issues)).toEqual(['identityProviders[0].allowedAlgorithms[1]']);
  });

  it('rejects an unknown provider type at its discriminator', async () => {
    const issues = await issuesOf(`${MINIMAL_CONFIG}identityProviders:\n  - { id: corp, type: ldap }\n`);
    expect(paths(issues)).toEqual(['identityProviders[0].type']);
  });

  it('asks for the account as a quoted 12-digit string', async () => {
    const issues = await issuesOf(`${MINIMAL_CONFIG}account: 000000000000\n`);
    expect(issues).toEqual([{ path: 'account', message: expect.stringContaining('quote it') as string }]);
  });
});

describe('policies', () => {
  it('reports a malformed trust policy with its full config path', async () => {
    const issues = await issuesOf(`publicUrl: https://sso.example.com
roles:
  - name: Reader
    trustPolicy: ${TRUST_POLICY_YAML}
  - name: Broken
    trustPolicy: { Version: "2012-10-17", Statement: [{ Effect: Perhaps, Principal: { Federated: corp }, Action: "sts:AssumeRoleWithWebIdentity" }] }
`);
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) expect(issue.path).toMatch(/^roles\[1\]\.trustPolicy\.Statement\[0\]/);
  });
});

describe('freeze', () => {
  it('deep-freezes the resolved config', async () => {
    const config: GatewayConfig = await load(MINIMAL_CONFIG);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.roles)).toBe(true);
    expect(Object.isFrozen(config.roles[0]?.trustPolicy)).toBe(true);
    expect(Object.isFrozen(config.listen)).toBe(true);
    expect(() => {
      (config.listen as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
});

describe('the SPEC section 3 example', () => {
  const SPEC_EXAMPLE = fileURLToPath(
    new URL('../../fixtures/config/spec-example/gateway.yaml', import.meta.url),
  );
  const env = {
    GOOGLE_CLIENT_ID: 'google-client',
    GOOGLE_CLIENT_SECRET: 'google-secret',
    REPORTS_APP_SECRET: 'r',
  };

  it('loads with every section the SPEC shows', async () => {
    const config = await loadConfig(SPEC_EXAMPLE, { env });
    expect(config.store).toMatchObject({ kind: 'redis', url: 'redis://127.0.0.1:6379/0' });
    expect(config.authorizer.listen).toEqual({ host: '0.0.0.0', port: 8081 });
    expect(config.roles[0]).toMatchObject({
      name: 'Developer',
      maxSessionDuration: 14_400,
      policies: ['OrdersReadOnly'],
    });
    const saml = config.identityProviders[0];
    expect(saml?.type === 'saml' && saml.decryptionKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const gha = config.identityProviders[2];
    expect(gha?.type === 'oidc' && gha.audiences).toEqual(['fedgate']);
  });

  it('names both unset secrets of the example at once', async () => {
    const error = await loadConfig(SPEC_EXAMPLE, { env: {} }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect(paths((error as ConfigError).issues)).toEqual([
      'identityProviders[1].clientId',
      'identityProviders[1].clientSecret',
      'clients[0].secret',
    ]);
  });
});

describe('YAML aliases', () => {
  it('an alias cycle (a value containing itself) is a ConfigError with its path, not a stack overflow', async () => {
    const issues = await issuesOf(`${MINIMAL_CONFIG}guardrails: &g [*g]\n`);
    expect(issues).toContainEqual(
      expect.objectContaining({ path: 'guardrails[0]', message: expect.stringContaining('YAML alias') }),
    );
  });
});

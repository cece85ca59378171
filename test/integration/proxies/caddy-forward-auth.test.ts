import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startGateway, type GatewayUnderTest } from '../authorizer/authorizer-gateway.js';
import { forwardAuthAttacks, proxiedOrdersConfig } from './forward-auth-attacks.js';
import {
  expectIdentityHeaders,
  freePort,
  guideConfig,
  requireBinary,
  scratchDir,
  spawnProxy,
  startExpressUpstream,
  type ExpressUpstream,
  type ProxyProcess,
} from './proxy-harness.js';
import { sigv4CredentialOf, sigv4ThroughProxy, type FedgateCredential } from './sigv4-through-proxy.js';

const CADDY = '/usr/bin/caddy';

/** docs/proxies/caddy.md's Caddyfile itself, served over plain HTTP on a test port. */
async function caddyfile(port: number, authzPort: number, upstreamPort: number): Promise<string> {
  const guide = await guideConfig('caddy.md', 'caddyfile', [
    [/^orders\.example\.com \{/m, `http://orders.example.com:${port} {\n\tbind 127.0.0.1`],
    [/^:443 \{/m, `http://:${port} {\n\tbind 127.0.0.1`],
    ['forward_auth 127.0.0.1:8081', `forward_auth 127.0.0.1:${authzPort}`],
    ['reverse_proxy 127.0.0.1:3000', `reverse_proxy 127.0.0.1:${upstreamPort}`],
  ]);
  return `{
\tadmin off
\tauto_https off
}

${guide}
`;
}

describe('real Caddy with forward_auth (docs/proxies/caddy.md) in front of an Express upstream', () => {
  let gateway: GatewayUnderTest;
  let upstream: ExpressUpstream;
  let caddy: ProxyProcess;
  let token: string;
  let session: { principalArn: string; id: string };
  let credential: FedgateCredential;

  beforeAll(async () => {
    await requireBinary(CADDY, 'apt-get install caddy');
    gateway = await startGateway({ config: proxiedOrdersConfig('forwarded') });
    upstream = await startExpressUpstream();
    const dir = await scratchDir('fedgate-caddy-');
    const port = await freePort();
    await writeFile(join(dir, 'Caddyfile'), await caddyfile(port, gateway.port, upstream.port));
    caddy = await spawnProxy(
      CADDY,
      ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'],
      port,
      {
        cwd: dir,
        cleanup: dir,
        env: { HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') },
      },
    );
    const issued = await gateway.issue({ roleName: 'Developer', tags: { team: 'payments' } });
    token = issued.token;
    session = issued.session;
    credential = sigv4CredentialOf(issued);
  });
  afterAll(async () => {
    await caddy?.stop();
    await upstream?.close();
    await gateway?.close();
  });

  const through = (path: string, headers: Record<string, string>, method = 'GET') =>
    send(`http://127.0.0.1:${caddy.port}`, {
      method,
      path,
      headers: { host: 'orders.example.com', ...headers },
    });

  it('an allowed request reaches the upstream with the X-Fedgate-* identity headers, forged ones replaced', async () => {
    const before = upstream.received.length;
    const answer = await through('/orders/42', {
      authorization: `Bearer ${token}`,
      'x-fedgate-principal': 'forged',
    });
    expect(answer.status, caddy.output()).toBe(200);
    const seen = upstream.received.slice(before);
    expect(seen).toHaveLength(1);
    await expectIdentityHeaders(seen[0]!.headers, session, await gateway.keys.jwks());
  });

  it('the session cookie works through Caddy as well', async () => {
    const answer = await through('/orders/42', { cookie: `fedgate_session=${token}` });
    expect(answer.status).toBe(200);
  });

  it('a denied request gets the 403 problem from fedgate and never reaches the upstream', async () => {
    const before = upstream.received.length;
    const answer = await through('/orders/666', { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'ExplicitDeny' });
    expect(upstream.received.length).toBe(before);
  });

  it('the original method is what is decided (DELETE without MFA is denied)', async () => {
    const answer = await through('/orders/42', { authorization: `Bearer ${token}` }, 'DELETE');
    expect(answer.status).toBe(403);
  });

  it('an unauthenticated request gets 401 with the Bearer challenge and never reaches the upstream', async () => {
    const before = upstream.received.length;
    const missing = await through('/orders/42', {});
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="fedgate"');
    const invalid = await through('/orders/42', { authorization: 'Bearer nope' });
    expect(invalid.status).toBe(401);
    expect(invalid.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(upstream.received.length).toBe(before);
  });

  it('a browser on a redirect route is sent to the login page', async () => {
    const answer = await through('/ui/reports?q=1', { accept: 'text/html' });
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe(
      `https://sso.example.com/login?return_to=${encodeURIComponent('http://orders.example.com/ui/reports?q=1')}`,
    );
  });

  it("a refused path reaches the client as fedgate's 400 problem", async () => {
    const answer = await through('/orders/red/admin;x=1', { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'UnsafeRequestPath' });
  });

  forwardAuthAttacks(() => ({
    proxyPort: caddy.port,
    upstream,
    token,
    refusedStatus: 400,
    unknownHostStatus: 421,
    fragment: { status: 200, handler: 'order' },
  }));

  sigv4ThroughProxy(() => ({ proxyPort: caddy.port, upstream, gateway, credential }));
});

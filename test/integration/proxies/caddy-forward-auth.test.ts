import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startGateway, type GatewayUnderTest } from '../authorizer/authorizer-gateway.js';
import { ordersConfig } from '../authorizer/orders-config.js';
import {
  freePort,
  requireBinary,
  scratchDir,
  spawnProxy,
  startEchoUpstream,
  type EchoUpstream,
  type ProxyProcess,
  expectIdentityHeaders,
} from './proxy-harness.js';

const CADDY = '/usr/bin/caddy';

/** The guide's Caddyfile (docs/proxies/caddy.md), with test ports. */
function caddyfile(port: number, authzPort: number, upstreamPort: number): string {
  return `{
  admin off
  auto_https off
}

http://:${port} {
  bind 127.0.0.1
  forward_auth 127.0.0.1:${authzPort} {
    uri /authz
    copy_headers X-Fedgate-Principal X-Fedgate-Role X-Fedgate-Subject X-Fedgate-Session X-Fedgate-Tags X-Fedgate-Assertion
  }
  reverse_proxy 127.0.0.1:${upstreamPort}
}
`;
}

describe('real Caddy with forward_auth in front of an upstream', () => {
  let gateway: GatewayUnderTest;
  let upstream: EchoUpstream;
  let caddy: ProxyProcess;
  let allowed: string;
  let session: { principalArn: string; id: string };

  beforeAll(async () => {
    await requireBinary(CADDY, 'apt-get install caddy');
    gateway = await startGateway({ config: ordersConfig() });
    upstream = await startEchoUpstream();
    const dir = await scratchDir('fedgate-caddy-');
    const port = await freePort();
    await writeFile(join(dir, 'Caddyfile'), caddyfile(port, gateway.port, upstream.port));
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
    allowed = issued.token;
    session = issued.session;
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
      authorization: `Bearer ${allowed}`,
      'x-fedgate-principal': 'forged',
    });
    expect(answer.status, caddy.output()).toBe(200);
    const seen = upstream.received.slice(before);
    expect(seen).toHaveLength(1);
    await expectIdentityHeaders(seen[0]!, session, await gateway.keys.jwks());
  });

  it('the session cookie works through Caddy as well', async () => {
    const answer = await through('/orders/42', { cookie: `fedgate_session=${allowed}` });
    expect(answer.status).toBe(200);
  });

  it('a denied request gets the 403 problem from fedgate and never reaches the upstream', async () => {
    const before = upstream.received.length;
    const answer = await through('/orders/666', { authorization: `Bearer ${allowed}` });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'ExplicitDeny' });
    expect(upstream.received.length).toBe(before);
  });

  it('the original method is what is decided (DELETE without MFA is denied)', async () => {
    const answer = await through('/orders/42', { authorization: `Bearer ${allowed}` }, 'DELETE');
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
    const answer = await send(`http://127.0.0.1:${caddy.port}`, {
      path: '/reports?q=1',
      headers: { host: 'app.example.com', accept: 'text/html' },
    });
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe(
      `https://sso.example.com/login?return_to=${encodeURIComponent('http://app.example.com/reports?q=1')}`,
    );
  });
});
